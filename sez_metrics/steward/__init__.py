"""Who may publish and how: steward accounts and sign-in, and the upload → review → publish workspace."""

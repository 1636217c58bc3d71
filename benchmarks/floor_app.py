"""The framework floor for first paint: a minimal Streamlit page with one pydeck and one Plotly chart.

No data loading and no package code: what any Streamlit page with these two charts costs on this
machine. ``benchmarks.run`` serves it next to the dashboard and compares their first paint.
"""

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Framework floor")
points = [{"lon": 67.0 + i * 0.5, "lat": 25.0 + i * 0.8} for i in range(9)]
layer = pdk.Layer("ScatterplotLayer", data=points, id="points", get_position="[lon, lat]", get_radius=20000,
                  get_fill_color=[0, 114, 178])
st.pydeck_chart(pdk.Deck(layers=[layer], map_provider=None,
                         initial_view_state=pdk.ViewState(latitude=30, longitude=70, zoom=4)))
st.plotly_chart(go.Figure(go.Bar(x=[f"Zone {i}" for i in range(9)], y=list(range(9)))))

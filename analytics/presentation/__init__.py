"""Presentation that is not Streamlit: folium maps, the meeting pack, safe exports."""

"""UI layer: Dash layout, panels and callbacks. Depends on domain/, never the reverse."""

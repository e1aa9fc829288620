"""Official clarifications against rumours, and the rumour watch over group talk."""

"""The core: neutral message types, domain records, the area tree, the clock, text and
catalogs, the router and the handler context. Pure: no store, no platform, no I/O."""

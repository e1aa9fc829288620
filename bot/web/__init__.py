"""The one aiohttp web server of the process and its pages."""

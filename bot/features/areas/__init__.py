"""Changes of the area tree over time: mappings, migrating stored records, checking usage."""

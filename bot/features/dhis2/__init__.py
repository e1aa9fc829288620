"""DHIS2: the mapped report types' numbers, summed per organisation unit, sent to the province's
DHIS2 as data value sets (by `python -m bot dhis2 push` and the daily job), with DHIS2's import
summary told to the admins."""

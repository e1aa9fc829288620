"""Questions from the field (/hoi) and officers' answers (/traloi), climbing the area tree."""

"""Surveys: a question with options to an area, answers, results."""

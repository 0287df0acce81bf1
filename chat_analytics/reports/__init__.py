"""Plots, notebook execution, report narrative and the browser check of reports."""

"""Audits of official elections on the web: upload, background run, report page, publishing."""

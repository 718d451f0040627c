"""`make bench`: a large clinic in its own database, and the key pages timed against a bare view.

`clinic.bench.data` builds the clinic (COPY on PostgreSQL), `clinic.bench.pages` times the
pages; `manage.py bench` runs both. Composition code: it reaches every app.
"""

"""The shared kernel: what every app may use and what imports none of them.

Roles and the permission decorators, the clinic's dates, time zone and local spans, form
widgets and the back office's mixins. It lives in the project package because the top level is
fixed (`clinic/ practitioners/ clients/ treatments/`); importing `clinic.kernel` runs nothing of
the bookings app (`clinic/__init__.py` is empty), and `clinic/tests/test_import_layers.py` keeps
it that way. See the README's layout section for the layers.
"""

"""The outbox: every email the clinic sends is first a row here, then a background task's job.

A caller writes a message inside its own transaction (`services.write_message`); the message is
handed to the task backend once that transaction commits, and a worker sends it through
Django's email backend, retrying with back-off until it is sent or given up. The request that
wrote it never waits on the mail server. Part of the shared kernel: it imports no app.
"""

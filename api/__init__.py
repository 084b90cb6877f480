"""The HTTP face of detente: a Flask app factory (see :func:`detente.api.app.create_app`)."""

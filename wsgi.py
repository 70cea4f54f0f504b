"""The app object for servers; `python wsgi.py` serves it for development and the demo."""
from cafe import create_app

app = create_app()

if __name__ == "__main__":
    app.run(host=app.config["CAFE_HOST"], port=app.config["CAFE_PORT"])

"""The production app plus one trivial callback, the yardstick for callback throughput.

PPH_... gunicorn -c gunicorn.conf.py benchmarks.bench_app:server
"""

from dash import Input, Output

from app import app

TRIVIAL_OUTPUT = "bench-echo"


@app.callback(Output(TRIVIAL_OUTPUT, "children"), Input("bench-ping", "value"))
def echo(value):
    return value


server = app.server

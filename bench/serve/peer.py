"""bench/serve's peer: the serving path of SageMaker's XGBoost container
(aws/sagemaker-xgboost-container, the 1.7-1 image, algorithm mode: no user
script), reproduced as a Flask app for gunicorn, on Debian's xgboost 1.7.4
(the version that image pins).

What the container does, and what this file does the same way (read from
the container's source: src/sagemaker_xgboost_container/serving.py,
sagemaker_containers_patch/server.py, algorithm_mode/serve.py,
algorithm_mode/serve_utils.py, encoder.py, data_utils.py; and
sagemaker-containers' _encoders.py and _env.py):

  stack     the image's serving module (serving.py) starts, for a single
            model, gunicorn with `-k gevent -w <workers> --worker-connections
            <1000 x workers> --keep-alive 2 --timeout 60`, workers =
            SAGEMAKER_MODEL_SERVER_WORKERS or the number of CPUs, behind
            nginx (a unix socket; SAGEMAKER_USE_NGINX defaults to true), with
            OMP_NUM_THREADS=1.  Multi-model endpoints use Multi Model Server
            instead; that path is not reproduced.  bench/serve/run.py starts
            gunicorn the same way on 127.0.0.1 with 2 workers and no nginx (a
            reverse proxy in front only adds to the peer's cost, and kiln's
            endpoint has none either).  The worker class is gevent when
            Debian's python3-gevent is installed, else gunicorn's sync
            workers (run.py says which it used, in its table and JSON).
            The container's nginx upstream has no keepalive: gunicorn sees
            one request per connection there, while here a client's
            keep-alive connection is held by a gevent worker directly.
  GET /ping          200, empty body; no model check.
  POST /invocations  an empty body is 204.  The Content-Type is parsed as
            data_utils.get_content_type does (lowercased, parameters after
            ';'; text/csv and csv are CSV, with label_size, if given, 1; no
            Content-Type means libsvm).  A CSV body: stripped, decoded as
            UTF-8, the delimiter sniffed (csv.Sniffer) from the first 512
            characters of the first line (',' if the sniffed one is
            alphanumeric) and logged at INFO (the image's root logger is at
            INFO: one log line per request), lines split on '\\n', fields on
            the delimiter, empty fields 'nan', the whole converted with
            numpy to float64 and handed to xgb.DMatrix.  Parse errors are
            415.  Other content types (libsvm, recordio-protobuf) are not
            reproduced here: 415.
  model     loaded on the first request, once per worker (the image's
            ScoringService keeps it in the worker process): every regular
            file of the model directory (SM_MODEL_DIR), sorted; each tried
            with pickle first, then xgb.Booster().load_model; nthread set to
            1.  Load errors are 500.
  predict   Booster.predict(dtest, ntree_limit=best_ntree_limit or 0,
            validate_features=False); several model files are averaged (the
            image's ensemble mode, on by default); a pickled booster has its
            feature count checked against the payload's first.  Errors 400.
  response  the Accept header: absent or */* means
            SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, else text/csv; text/csv and
            application/json are encoded (others 406).  text/csv is
            sagemaker-containers' array_to_csv of preds.tolist(): a 1-D
            result becomes one column, so one score per line, each line
            ending in '\\n' (str() of the float64); a 2-D one, one row per
            line.  SAGEMAKER_BATCH set: the scores joined by '\\n' plus '\\n'.
            The mimetype is the Accept type.  SageMaker's selectable
            inference output (SAGEMAKER_INFERENCE_OUTPUT) is not reproduced.

Run (what bench/serve/run.py does):
  SM_MODEL_DIR=DIR OMP_NUM_THREADS=1 gunicorn -k gevent -w 2 \\
    --worker-connections 2000 --keep-alive 2 --timeout 60 \\
    -b 127.0.0.1:PORT --chdir bench/serve peer:app
"""

import csv
import http.client
import io
import json
import logging
import os
import pickle

import flask
import numpy as np
import xgboost as xgb

# serving.py configures the root logger so at import (INFO, this format).
logging.basicConfig(format="%(asctime)s %(levelname)s - %(name)s - %(message)s",
                    level=logging.INFO)

MODEL_DIR = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")
SAGEMAKER_BATCH = os.environ.get("SAGEMAKER_BATCH")
SUPPORTED_ACCEPTS = ("application/json", "application/jsonlines",
                     "application/x-recordio-protobuf", "text/csv")
PKL_FORMAT, XGB_FORMAT = "pkl_format", "xgb_format"

app = flask.Flask(__name__)
# 6 MB unless MAX_CONTENT_LENGTH says otherwise, capped at 20 MB.
app.config["MAX_CONTENT_LENGTH"] = min(int(os.environ.get("MAX_CONTENT_LENGTH", 6 * 1024 ** 2)),
                                       20 * 1024 ** 2)


class UserError(Exception):
    pass


def parse_header(value):
    """'text/csv; label_size=1' -> ('text/csv', {'label_size': '1'})."""
    parts = value.split(";")
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


def content_type_of(header):
    """data_utils.get_content_type: 'csv', 'libsvm', 'parquet' or
    'recordio-protobuf'; no header means libsvm."""
    if header is None:
        return "libsvm"
    ctype, params = parse_header(header.lower())
    if ctype in ("csv", "text/csv"):
        if params.get("label_size", "1") != "1":
            raise UserError("%s is not an accepted csv ContentType. "
                            "Optional parameter label_size must be equal to 1" % header)
        return "csv"
    if ctype in ("libsvm", "text/libsvm", "text/x-libsvm"):
        return "libsvm"
    if ctype in ("parquet", "application/x-parquet"):
        return "parquet"
    if ctype in ("recordio-protobuf", "application/x-recordio-protobuf"):
        return "recordio-protobuf"
    raise UserError("%s is not an accepted ContentType" % header)


def csv_to_dmatrix(text):
    """encoder.csv_to_dmatrix(text, dtype=float)."""
    sniffed = csv.Sniffer().sniff(text.split("\n")[0][:512]).delimiter
    delimiter = "," if sniffed.isalnum() else sniffed
    logging.info("Determined delimiter of CSV input is '%s'", delimiter)
    rows = [["nan" if f == "" else f for f in line.split(delimiter)]
            for line in text.split("\n")]
    return xgb.DMatrix(np.array(rows).astype(float))


def parse_content_data(payload, header):
    ctype = content_type_of(header)
    if ctype != "csv":
        raise RuntimeError("Content-type %s is not reproduced by bench/serve's peer" % header)
    try:
        return csv_to_dmatrix(payload.strip().decode("utf-8")), ctype
    except Exception as e:
        raise RuntimeError("Loading csv data failed with Exception, please ensure data "
                           "is in csv format:\n %s\n %s" % (type(e), e))


class Scoring:
    models = None
    formats = None

    @classmethod
    def load(cls):
        """serve_utils.get_loaded_booster, once per worker process."""
        if cls.models is None:
            models, formats = [], []
            for name in sorted(os.listdir(MODEL_DIR)):
                path = os.path.join(MODEL_DIR, name)
                if not os.path.isfile(path):
                    continue
                logging.info("Loading the model from %s", path)
                try:
                    with open(path, "rb") as f:
                        booster = pickle.load(f)
                    fmt = PKL_FORMAT
                except Exception as exp_pkl:
                    try:
                        booster = xgb.Booster()
                        booster.load_model(path)
                        fmt = XGB_FORMAT
                    except Exception as exp_xgb:
                        raise RuntimeError("Model at %s cannot be loaded:\n%s\n%s"
                                           % (path, exp_pkl, exp_xgb))
                booster.set_param("nthread", 1)
                models.append(booster)
                formats.append(fmt)
            if not models:
                raise RuntimeError("no model file in %s" % MODEL_DIR)
            cls.models, cls.formats = models, formats
        return cls.formats

    @classmethod
    def predict(cls, dtest, ctype):
        """serve_utils.predict."""
        if cls.formats[0] == PKL_FORMAT:
            x, y = len(cls.models[0].feature_names), len(dtest.feature_names)
            if not (x == y or x == y + 1):
                raise ValueError("Feature size of %s inference data %d is not consistent "
                                 "with feature size of trained model %d." % (ctype, y, x))
        preds = [b.predict(dtest, ntree_limit=getattr(b, "best_ntree_limit", 0),
                           validate_features=False) for b in cls.models]
        return preds[0] if len(preds) == 1 else np.mean(preds, axis=0)


def parse_accept(request):
    accept, _ = parse_header(request.headers.get("accept", ""))
    if not accept or accept == "*/*":
        return os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
    if accept not in SUPPORTED_ACCEPTS:
        raise ValueError("Accept type %s is not supported. Please use supported accept "
                         "types: %s." % (accept, list(SUPPORTED_ACCEPTS)))
    return accept


def array_to_csv(values):
    """sagemaker-containers' _encoders.array_to_csv."""
    array = np.array(values)
    if array.ndim == 1:
        array = array.reshape(array.shape[0], 1)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", delimiter=",", quotechar='"',
               doublequote=True, strict=True).writerows(array)
    return out.getvalue()


def encode(values, accept):
    if accept == "text/csv":
        return array_to_csv(values)
    if accept == "application/json":
        return json.dumps(values)
    raise ValueError("cannot encode predictions as %s" % accept)


@app.route("/ping", methods=["GET"])
def ping():
    return flask.Response(status=http.client.OK)


@app.route("/execution-parameters", methods=["GET"])
def execution_parameters():
    params = {"MaxConcurrentTransforms": os.cpu_count(), "BatchStrategy": "MULTI_RECORD",
              "MaxPayloadInMB": int(app.config["MAX_CONTENT_LENGTH"] / 1024 ** 2)}
    return flask.Response(response=json.dumps(params), status=http.client.OK,
                          mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def invocations():
    payload = flask.request.data
    if len(payload) == 0:
        return flask.Response(response="", status=http.client.NO_CONTENT)
    try:
        dtest, ctype = parse_content_data(payload, flask.request.content_type)
    except Exception as e:
        logging.exception(e)
        return flask.Response(response=str(e), status=http.client.UNSUPPORTED_MEDIA_TYPE)
    try:
        Scoring.load()
    except Exception as e:
        logging.exception(e)
        return flask.Response(response="Unable to load model: %s" % e,
                              status=http.client.INTERNAL_SERVER_ERROR)
    try:
        preds = Scoring.predict(dtest, ctype)
    except Exception as e:
        logging.exception(e)
        return flask.Response(response="Unable to evaluate payload provided: %s" % e,
                              status=http.client.BAD_REQUEST)
    try:
        accept = parse_accept(flask.request)
        if SAGEMAKER_BATCH:
            body = "\n".join(map(str, preds.tolist())) + "\n"
        else:
            body = encode(preds.tolist(), accept)
    except Exception as e:
        logging.exception(e)
        return flask.Response(response=str(e), status=http.client.NOT_ACCEPTABLE)
    return flask.Response(response=body, status=http.client.OK, mimetype=accept)

/* kiln-xgb-metric-tool — kiln's XGBoost objectives and metrics from the
 * command line, for tests/python/test_xgb_metrics.py, which compares them
 * with the xgboost library.
 *
 *   kiln-xgb-metric-tool metric OBJ METRIC MARGINS LABELS [WEIGHTS] [k=v...]
 *       applies OBJECTIVE's eval transform to the margins, then METRIC;
 *       prints "NAME VALUE" (the metric's name, %.17g)
 *   kiln-xgb-metric-tool feval OBJ METRIC MARGINS LABELS [WEIGHTS] [k=v...]
 *       the same without the transform: SageMaker's own metrics (accuracy,
 *       f1, r2, rmse, ...) read the margins, as the container's feval
 *   kiln-xgb-metric-tool grad OBJECTIVE MARGINS LABELS [WEIGHTS] [k=v...]
 *       prints "GRAD HESS" per margin (%.9g)
 *   kiln-xgb-metric-tool transform OBJECTIVE predict|eval MARGINS [k=v...]
 *       prints the transformed values, one per line
 *   kiln-xgb-metric-tool margin OBJECTIVE BASE_SCORE [k=v...]
 *       prints prob_to_margin(BASE_SCORE)
 *   kiln-xgb-metric-tool labels OBJECTIVE LABELS [k=v...]
 *       checks the labels: prints "ok", or the error and exits 1
 *
 * The first form may also be written without the word "metric", as
 * OBJECTIVE METRIC MARGINS LABELS...  Files hold whitespace-separated
 * numbers ("nan" allowed); MARGINS has n x K values, row-major, K =
 * num_class for multi:* and 1 otherwise; "-" as WEIGHTS means none.
 * Parameters: num_class, scale_pos_weight, tweedie_variance_power,
 * huber_slope, max_delta_step.  Exit status 2 on usage errors.
 */
#include "algos/xgboost/xgb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct floats {
    float *v;
    size_t n;
} floats;

static int read_floats(const char *path, floats *out)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1024, n = 0;
    float *v = malloc(cap * sizeof *v);
    char word[128];
    while (v != NULL && fscanf(f, "%127s", word) == 1) {
        char *end;
        double d = strtod(word, &end);
        if (*end != '\0') {
            fprintf(stderr, "%s: not a number: %s\n", path, word);
            free(v);
            fclose(f);
            return -1;
        }
        if (n == cap) {
            float *nv = realloc(v, 2 * cap * sizeof *v);
            if (nv == NULL) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
            cap *= 2;
        }
        v[n++] = (float)d;
    }
    fclose(f);
    if (v == NULL) {
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    out->v = v;
    out->n = n;
    return 0;
}

/* k=v arguments into the objective's parameters (xgboost's defaults). */
static int parse_params(int argc, char **argv, kiln__xgb_obj_params *p)
{
    *p = (kiln__xgb_obj_params){0, 1.0, 1.5, 1.0, 0.7};
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "expected k=v, got %s\n", argv[i]);
            return -1;
        }
        *eq = '\0';
        double v = strtod(eq + 1, NULL);
        const char *k = argv[i];
        if (strcmp(k, "num_class") == 0)
            p->num_class = (int)v;
        else if (strcmp(k, "scale_pos_weight") == 0)
            p->scale_pos_weight = v;
        else if (strcmp(k, "tweedie_variance_power") == 0)
            p->tweedie_variance_power = v;
        else if (strcmp(k, "huber_slope") == 0)
            p->huber_slope = v;
        else if (strcmp(k, "max_delta_step") == 0)
            p->poisson_max_delta_step = v;
        else {
            fprintf(stderr, "unknown parameter %s\n", k);
            return -1;
        }
    }
    return 0;
}

static const kiln__xgb_objective *objective(const char *name)
{
    const kiln__xgb_objective *o = kiln__xgb_objective_find(name);
    if (o == NULL)
        fprintf(stderr, "unknown objective %s\n", name);
    return o;
}

static int groups(const kiln__xgb_objective *o, const kiln__xgb_obj_params *p)
{
    return o->kind == KILN__XGB_OBJ_MULTI ? p->num_class : 1;
}

/* Margins, labels and optional weights, with n x K checked. */
typedef struct inputs {
    floats margin, label, weight;
    int k;
} inputs;

static void inputs_fini(inputs *in)
{
    free(in->margin.v);
    free(in->label.v);
    free(in->weight.v);
}

/* argv: MARGINS LABELS [WEIGHTS] [k=v...] */
static int read_inputs(const kiln__xgb_objective *o, int argc, char **argv,
                       inputs *in, kiln__xgb_obj_params *p)
{
    memset(in, 0, sizeof *in);
    if (argc < 2)
        return -1;
    int rest = 2;
    const char *wpath = NULL;
    if (argc > 2 && strchr(argv[2], '=') == NULL) {
        wpath = strcmp(argv[2], "-") == 0 ? NULL : argv[2];
        rest = 3;
    }
    if (parse_params(argc - rest, argv + rest, p) != 0)
        return -1;
    in->k = groups(o, p);
    if (read_floats(argv[0], &in->margin) != 0 ||
        read_floats(argv[1], &in->label) != 0 ||
        (wpath && read_floats(wpath, &in->weight) != 0))
        return -1;
    size_t n = in->label.n;
    if (in->k < 1 || in->margin.n != n * (size_t)in->k ||
        (wpath && in->weight.n != n)) {
        fprintf(stderr, "sizes: %zu margins, %zu labels, %zu weights, K %d\n",
                in->margin.n, n, in->weight.n, in->k);
        return -1;
    }
    return 0;
}

/* metric (the eval transform, then the metric) or feval (the margins as
 * they are). */
static int cmd_metric(int argc, char **argv, bool transform)
{
    if (argc < 4)
        return 2;
    const kiln__xgb_objective *o = objective(argv[0]);
    kiln_error err = {0};
    kiln__xgb_metric m;
    if (o == NULL)
        return 2;
    if (kiln__xgb_metric_parse(argv[1], &m, &err) != KILN_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    kiln__xgb_obj_params p;
    inputs in;
    if (read_inputs(o, argc - 2, argv + 2, &in, &p) != 0) {
        inputs_fini(&in);
        return 2;
    }
    if (transform)
        o->transform(&p, in.margin.v, in.label.n, in.k, true);
    double v = kiln__xgb_metric_eval(&m, in.margin.v, in.label.v,
                                     in.weight.v, in.label.n, in.k, &p);
    printf("%s %.17g\n", m.name, v);
    inputs_fini(&in);
    return 0;
}

static int cmd_grad(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const kiln__xgb_objective *o = objective(argv[0]);
    if (o == NULL)
        return 2;
    kiln__xgb_obj_params p;
    inputs in;
    int rc = 2;
    float *g = NULL, *h = NULL;
    if (read_inputs(o, argc - 1, argv + 1, &in, &p) != 0)
        goto done;
    size_t total = in.margin.n;
    g = malloc((total ? total : 1) * sizeof *g);
    h = malloc((total ? total : 1) * sizeof *h);
    if (g == NULL || h == NULL)
        goto done;
    o->gradient(&p, in.margin.v, in.label.v, in.weight.v, in.label.n, in.k,
                g, h);
    for (size_t i = 0; i < total; i++)
        printf("%.9g %.9g\n", (double)g[i], (double)h[i]);
    rc = 0;
done:
    free(h);
    free(g);
    inputs_fini(&in);
    return rc;
}

static int cmd_transform(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const kiln__xgb_objective *o = objective(argv[0]);
    if (o == NULL)
        return 2;
    bool eval = strcmp(argv[1], "eval") == 0;
    kiln__xgb_obj_params p;
    floats m = {0};
    if (parse_params(argc - 3, argv + 3, &p) != 0 ||
        read_floats(argv[2], &m) != 0)
        return 2;
    int k = groups(o, &p);
    if (k < 1 || m.n % (size_t)k != 0) {
        free(m.v);
        return 2;
    }
    size_t n = m.n / (size_t)k;
    o->transform(&p, m.v, n, k, eval);
    size_t out = o->kind == KILN__XGB_OBJ_MULTI && !eval &&
                         strcmp(o->name, "multi:softmax") == 0
                     ? n
                     : m.n;
    for (size_t i = 0; i < out; i++)
        printf("%.9g\n", (double)m.v[i]);
    free(m.v);
    return 0;
}

static int cmd_margin(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const kiln__xgb_objective *o = objective(argv[0]);
    kiln__xgb_obj_params p;
    if (o == NULL || parse_params(argc - 2, argv + 2, &p) != 0)
        return 2;
    printf("%.9g\n", o->prob_to_margin(&p, strtod(argv[1], NULL)));
    return 0;
}

static int cmd_labels(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const kiln__xgb_objective *o = objective(argv[0]);
    kiln__xgb_obj_params p;
    floats y = {0};
    if (o == NULL || parse_params(argc - 2, argv + 2, &p) != 0 ||
        read_floats(argv[1], &y) != 0)
        return 2;
    kiln_error err = {0};
    int rc = o->check_labels(&p, y.v, y.n, &err);
    free(y.v);
    if (rc != KILN_OK) {
        printf("%s: %s\n", kiln_status_ename(rc), err.message);
        return 1;
    }
    printf("ok\n");
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: kiln-xgb-metric-tool [metric] OBJECTIVE METRIC MARGINS "
            "LABELS [WEIGHTS] [k=v...]\n"
            "       kiln-xgb-metric-tool feval OBJECTIVE METRIC MARGINS "
            "LABELS [WEIGHTS] [k=v...]\n"
            "       kiln-xgb-metric-tool grad OBJECTIVE MARGINS LABELS "
            "[WEIGHTS] [k=v...]\n"
            "       kiln-xgb-metric-tool transform OBJECTIVE predict|eval "
            "MARGINS [k=v...]\n"
            "       kiln-xgb-metric-tool margin OBJECTIVE BASE_SCORE "
            "[k=v...]\n"
            "       kiln-xgb-metric-tool labels OBJECTIVE LABELS [k=v...]\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    int rc;
    if (strcmp(cmd, "metric") == 0)
        rc = cmd_metric(argc - 2, argv + 2, true);
    else if (strcmp(cmd, "feval") == 0)
        rc = cmd_metric(argc - 2, argv + 2, false);
    else if (strcmp(cmd, "grad") == 0)
        rc = cmd_grad(argc - 2, argv + 2);
    else if (strcmp(cmd, "transform") == 0)
        rc = cmd_transform(argc - 2, argv + 2);
    else if (strcmp(cmd, "margin") == 0)
        rc = cmd_margin(argc - 2, argv + 2);
    else if (strcmp(cmd, "labels") == 0)
        rc = cmd_labels(argc - 2, argv + 2);
    else
        rc = cmd_metric(argc - 1, argv + 1, true);
    if (rc == 2)
        usage();
    return rc;
}

/*
 * glassnet._kernels: the optimizer updates and ReLU's two passes (bias + ReLU
 * forward, the backward product), each as one fused loop (optional).
 *
 * The optimizers (_sgd.py, _adam.py) write every update as a sequence of NumPy passes
 * (m *= b1; tmp = d*(1-b1); m += tmp; ...). Adam needs twelve of them, each one a
 * full trip through memory, and on a 235,000-weight MLP they cost about as much
 * as a third of the matrix products. The loops below do the *same operations in
 * the same order and precision* per element, in one pass:
 *
 *   - each operation rounds to the array's dtype (float32 or float64), exactly as
 *     the NumPy ufunc does; scalars are converted to that dtype first, as NumPy
 *     converts a Python float beside a float32 array;
 *   - the build turns off contraction to fused multiply-add (-ffp-contract=off)
 *     and no fast-math is used, so the results are bit-identical to the NumPy
 *     path, which stays the reference and the fallback (tests compare the two bit
 *     for bit, for every option and both dtypes).
 *
 * Each function validates every argument before touching any: C-contiguous
 * buffers of one float format ('f' or 'd') and one length, writable where
 * written, not overlapping; scalars that are Python floats or ints. Anything
 * else raises TypeError and changes nothing, and the caller then runs its NumPy
 * passes instead.
 *
 * The extension is optional: `pip install` builds it when a C compiler is there
 * and skips it otherwise; GLASSNET_PURE_NUMPY=1 makes glassnet ignore it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

/* On x86-64 Linux with GCC, compile each loop for AVX-512, AVX2 and baseline
 * x86-64 and pick at load time. Without FMA contraction the arithmetic is the
 * same IEEE operations in every clone, so the choice changes speed only. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__linux__)
#define GN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GN_CLONES
#endif

#if defined(__GNUC__)
#define GN_INLINE static inline __attribute__((always_inline))
#else
#define GN_INLINE static inline
#endif

/* NumPy's maximum, to the bit: the first NaN if either side is NaN, and b when
 * a == b (np.maximum(-0.0, +0.0) is +0.0 and np.maximum(+0.0, -0.0) is -0.0). */
#define GN_MAXIMUM(a, b) ((a) != (a) ? (a) : ((b) != (b) ? (b) : ((a) > (b) ? (a) : (b))))

/* NumPy's np.add(a, b) on two NaNs gives a's (x86 returns the first operand's
 * payload and sign), but C lets the compiler swap an addition's operands (GCC
 * did, in the float32 clones, to fold a load). So a NaN a is added to itself:
 * a + a is a's NaN, quieted as np.add quiets it, whichever operand comes first.
 * Written so, the select is between two plain values and the addition is not in
 * a branch, so the loops still vectorize (`a != a ? a : a + b` did not: GCC does
 * not speculate an addition that could raise an FP flag). */
static inline float
gn_add_f32(float a, float b)
{
    return a + (a != a ? a : b);
}
static inline double
gn_add_f64(double a, double b)
{
    return a + (a != a ? a : b);
}
#define GN_ADD(a, b) _Generic((a), float: gn_add_f32, double: gn_add_f64)(a, b)

/* ---------------------------------------------------------------- the loops */

#define GN_DEFINE_LOOPS(T, SUFFIX, SQRT)                                          \
    GN_CLONES static void sgd_##SUFFIX(T *p, const T *g, Py_ssize_t n, T lr,     \
                                       T wd, int use_wd)                         \
    {                                                                            \
        if (use_wd) {                                                            \
            for (Py_ssize_t i = 0; i < n; i++) {                                 \
                T d = p[i] * wd;                                                 \
                d = GN_ADD(d, g[i]);                                             \
                p[i] = p[i] - d * lr;                                            \
            }                                                                    \
        }                                                                        \
        else {                                                                   \
            for (Py_ssize_t i = 0; i < n; i++) p[i] = p[i] - g[i] * lr;          \
        }                                                                        \
    }                                                                            \
                                                                                 \
    GN_CLONES static void momentum_##SUFFIX(                                     \
        T *p, const T *g, T *b, Py_ssize_t n, T lr, T mu, T keep, T lr_mu,       \
        T wd, int use_wd, int damp, int fresh, int nesterov)                     \
    {                                                                            \
        for (Py_ssize_t i = 0; i < n; i++) {                                     \
            T d = g[i];                                                          \
            if (use_wd) {                                                        \
                d = p[i] * wd;                                                   \
                d = GN_ADD(d, g[i]);                                             \
            }                                                                    \
            T bi;                                                                \
            if (fresh) {                                                         \
                bi = d;                                                          \
            }                                                                    \
            else {                                                               \
                bi = b[i] * mu;                                                  \
                if (damp) d = d * keep;                                          \
                bi = GN_ADD(bi, d);                                              \
            }                                                                    \
            b[i] = bi;                                                           \
            T pi = p[i];                                                         \
            if (nesterov) {                                                      \
                pi = pi - d * lr;                                                \
                pi = pi - bi * lr_mu;                                            \
            }                                                                    \
            else {                                                               \
                pi = pi - bi * lr;                                               \
            }                                                                    \
            p[i] = pi;                                                           \
        }                                                                        \
    }                                                                            \
                                                                                 \
    /* the loop, inlined with constant flags into each case below: GCC's own     \
     * unswitching gives up on this many flags once NaN-exact additions are in */ \
    GN_INLINE void adam_loop_##SUFFIX(                                           \
        T *p, const T *g, T *m, T *v, T *vmax, Py_ssize_t n, T b1, T c1, T b2,   \
        T c2, T eps, T scale, T wd, const int use_wd, T decay, const int decoupled, \
        const int amsgrad)                                                       \
    {                                                                            \
        for (Py_ssize_t i = 0; i < n; i++) {                                     \
            T pi = p[i];                                                         \
            T d = g[i];                                                          \
            if (decoupled) {                                                     \
                pi = pi * decay;                                                 \
            }                                                                    \
            else if (use_wd) {                                                   \
                d = pi * wd;                                                     \
                d = GN_ADD(d, g[i]);                                             \
            }                                                                    \
            T mi = m[i] * b1;                                                    \
            mi = GN_ADD(mi, d * c1);                                             \
            T vi = v[i] * b2;                                                    \
            T dd = d * d;                                                        \
            vi = GN_ADD(vi, dd * c2);                                            \
            m[i] = mi;                                                           \
            v[i] = vi;                                                           \
            if (amsgrad) {                                                       \
                T top = vmax[i];                                                 \
                vi = GN_MAXIMUM(top, vi);                                        \
                vmax[i] = vi;                                                    \
            }                                                                    \
            T step = SQRT(vi) + eps;                                             \
            step = mi / step;                                                    \
            p[i] = pi - step * scale;                                            \
        }                                                                        \
    }                                                                            \
                                                                                 \
    GN_CLONES static void adam_##SUFFIX(                                         \
        T *p, const T *g, T *m, T *v, T *vmax, Py_ssize_t n, T b1, T c1, T b2,   \
        T c2, T eps, T scale, T wd, int use_wd, T decay, int decoupled)          \
    {                                                                            \
        int ams = vmax != NULL;                                                  \
        if (decoupled && ams)                                                    \
            adam_loop_##SUFFIX(p, g, m, v, vmax, n, b1, c1, b2, c2, eps, scale,  \
                               wd, 0, decay, 1, 1);                              \
        else if (decoupled)                                                      \
            adam_loop_##SUFFIX(p, g, m, v, vmax, n, b1, c1, b2, c2, eps, scale,  \
                               wd, 0, decay, 1, 0);                              \
        else if (use_wd && ams)                                                  \
            adam_loop_##SUFFIX(p, g, m, v, vmax, n, b1, c1, b2, c2, eps, scale,  \
                               wd, 1, decay, 0, 1);                              \
        else if (use_wd)                                                         \
            adam_loop_##SUFFIX(p, g, m, v, vmax, n, b1, c1, b2, c2, eps, scale,  \
                               wd, 1, decay, 0, 0);                              \
        else if (ams)                                                            \
            adam_loop_##SUFFIX(p, g, m, v, vmax, n, b1, c1, b2, c2, eps, scale,  \
                               wd, 0, decay, 0, 1);                              \
        else                                                                     \
            adam_loop_##SUFFIX(p, g, m, v, vmax, n, b1, c1, b2, c2, eps, scale,  \
                               wd, 0, decay, 0, 0);                              \
    }

#define GN_DEFINE_RELU(T, SUFFIX)                                                 \
    GN_CLONES static void relu_backward_##SUFFIX(const T *gy, const T *y, T *out, \
                                                 Py_ssize_t n)                   \
    {                                                                            \
        /* NumPy: grad_y * (y > 0), the bool mask cast to 1 or 0 and multiplied  \
         * (so -2 * 0 is -0.0 and inf * 0 is NaN, as there) */                   \
        for (Py_ssize_t i = 0; i < n; i++)                                       \
            out[i] = gy[i] * (y[i] > (T)0 ? (T)1 : (T)0);                        \
    }

#define GN_DEFINE_BIAS_RELU(T, SUFFIX)                                            \
    GN_CLONES static void bias_relu_##SUFFIX(T *z, const T *b, Py_ssize_t rows,   \
                                             Py_ssize_t cols)                    \
    {                                                                            \
        /* NumPy: z += b (rounded), then maximum(z, zeros): NaN stays NaN, and a  \
         * -0.0 becomes +0.0 (its SIMD max returns the second operand on ties)    \
         */                                                                      \
        for (Py_ssize_t r = 0; r < rows; r++) {                                  \
            T *row = z + r * cols;                                               \
            for (Py_ssize_t j = 0; j < cols; j++) {                              \
                T x = GN_ADD(row[j], b[j]);                                      \
                row[j] = x != x ? x : (x > (T)0 ? x : (T)0);                     \
            }                                                                    \
        }                                                                        \
    }

GN_DEFINE_RELU(float, f32)
GN_DEFINE_RELU(double, f64)
GN_DEFINE_BIAS_RELU(float, f32)
GN_DEFINE_BIAS_RELU(double, f64)

GN_DEFINE_LOOPS(float, f32, sqrtf)
GN_DEFINE_LOOPS(double, f64, sqrt)

/* ------------------------------------------------------------ the buffers */

#define GN_MAX_BUFFERS 5

typedef struct {
    Py_buffer views[GN_MAX_BUFFERS];
    int count;
    char format; /* 'f' or 'd' */
    Py_ssize_t n;
} Buffers;

static void
release(Buffers *bufs)
{
    for (int i = 0; i < bufs->count; i++) PyBuffer_Release(&bufs->views[i]);
    bufs->count = 0;
}

/* Take obj's buffer: a C-contiguous float32/float64 buffer of the first one's
 * format, overlapping none taken before, and (with same_shape) of its shape too.
 * Returns the data pointer, or NULL with an exception set (and all released). */
static void *
take_buffer(Buffers *bufs, PyObject *obj, const char *name, int writable,
            int same_shape)
{
    Py_buffer *view = &bufs->views[bufs->count];
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        /* NumPy says ValueError (not C-contiguous, read-only); make every refusal
         * a TypeError, the one signal the callers take as "use NumPy" */
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s: a C-contiguous%s float buffer is needed, "
                     "got %.100s", name, writable ? ", writable" : "",
                     Py_TYPE(obj)->tp_name);
        release(bufs);
        return NULL;
    }
    bufs->count++;
    const char *fmt = view->format ? view->format : "B";
    if (fmt[0] == '=' || fmt[0] == '@') fmt++;
    char f = (fmt[0] == 'f' || fmt[0] == 'd') && fmt[1] == '\0' ? fmt[0] : 0;
    if (f == 0 || view->itemsize != (f == 'f' ? 4 : 8)) {
        PyErr_Format(PyExc_TypeError, "%s: a float32 or float64 buffer is needed, "
                     "got format '%s'", name, view->format ? view->format : "B");
        release(bufs);
        return NULL;
    }
    Py_ssize_t n = view->len / view->itemsize;
    if (bufs->count == 1) {
        bufs->format = f;
        bufs->n = n;
    }
    else {
        /* the same shape, not only the same size: NumPy would refuse to
         * broadcast (2, 3) against (3, 2), and so must this */
        const Py_buffer *first = &bufs->views[0];
        int same = f == bufs->format;
        if (same_shape) {
            same = same && n == bufs->n && view->ndim == first->ndim;
            for (int d = 0; same && d < view->ndim; d++)
                same = view->shape[d] == first->shape[d];
        }
        if (!same) {
            PyErr_Format(PyExc_TypeError, "%s: %zd items of format '%c' do not match "
                         "the first argument's shape and format '%c'", name, n, f,
                         bufs->format);
            release(bufs);
            return NULL;
        }
    }
    /* the loops read and write each element once per array: they need distinct
     * memory (NumPy's passes over aliased arrays would give other numbers) */
    const char *lo = (const char *)view->buf, *hi = lo + view->len;
    for (int i = 0; i < bufs->count - 1; i++) {
        const char *olo = (const char *)bufs->views[i].buf;
        const char *ohi = olo + bufs->views[i].len;
        if (view->len && bufs->views[i].len && lo < ohi && olo < hi) {
            PyErr_Format(PyExc_TypeError, "%s overlaps another argument", name);
            release(bufs);
            return NULL;
        }
    }
    return view->buf;
}

/* take_buffer for the arrays of one elementwise loop: all of one shape. */
static void *
take(Buffers *bufs, PyObject *obj, const char *name, int writable)
{
    return take_buffer(bufs, obj, name, writable, 1);
}

/* A scalar argument: a Python float or int only (an O& converter). NumPy 2 rounds
 * those to a float32 array's dtype (weak scalars, NEP 50), as the loops do; a NumPy
 * float64 scalar (a float subclass) would make NumPy compute in float64 instead,
 * and a np.float32 one differs again, so both are refused (TypeError: NumPy runs). */
static int
scalar(PyObject *obj, void *out)
{
    if (PyFloat_CheckExact(obj)) {
        *(double *)out = PyFloat_AS_DOUBLE(obj);
        return 1;
    }
    if (PyLong_CheckExact(obj)) {
        double value = PyLong_AsDouble(obj);
        if (!(value == -1.0 && PyErr_Occurred())) {
            *(double *)out = value;
            return 1;
        }
        PyErr_Clear(); /* OverflowError: let NumPy's passes say what they say */
    }
    PyErr_Format(PyExc_TypeError, "a Python float or int is needed as a scalar, "
                 "got %.100s", Py_TYPE(obj)->tp_name);
    return 0;
}

/* ---------------------------------------------------------- the functions */

PyDoc_STRVAR(sgd_doc,
"sgd(param, grad, lr, weight_decay)\n--\n\n"
"param -= lr * (grad + weight_decay * param), as SGD._update's NumPy passes.");

static PyObject *
py_sgd(PyObject *self, PyObject *args)
{
    PyObject *po, *go;
    double lr, wd;
    if (!PyArg_ParseTuple(args, "OOO&O&:sgd", &po, &go, scalar, &lr, scalar, &wd))
        return NULL;
    Buffers bufs = {.count = 0};
    void *p = take(&bufs, po, "param", 1);
    if (!p) return NULL;
    void *g = take(&bufs, go, "grad", 0);
    if (!g) return NULL;
    Py_ssize_t n = bufs.n;
    char f = bufs.format;
    Py_BEGIN_ALLOW_THREADS
    if (f == 'f')
        sgd_f32(p, g, n, (float)lr, (float)wd, wd != 0.0);
    else
        sgd_f64(p, g, n, lr, wd, wd != 0.0);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(momentum_doc,
"sgd_momentum(param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, "
"fresh)\n--\n\n"
"One SGD step with a momentum buffer, as SGD._update's NumPy passes.");

static PyObject *
py_momentum(PyObject *self, PyObject *args)
{
    PyObject *po, *go, *bo;
    double lr, mu, damp, wd;
    int nesterov, fresh;
    if (!PyArg_ParseTuple(args, "OOOO&O&O&O&pp:sgd_momentum", &po, &go, &bo, scalar,
                          &lr, scalar, &mu, scalar, &damp, scalar, &wd, &nesterov,
                          &fresh))
        return NULL;
    Buffers bufs = {.count = 0};
    void *p = take(&bufs, po, "param", 1);
    if (!p) return NULL;
    void *g = take(&bufs, go, "grad", 0);
    if (!g) return NULL;
    void *b = take(&bufs, bo, "buf", 1);
    if (!b) return NULL;
    Py_ssize_t n = bufs.n;
    char f = bufs.format;
    int use_wd = wd != 0.0, use_damp = damp != 0.0;
    Py_BEGIN_ALLOW_THREADS
    if (f == 'f')
        momentum_f32(p, g, b, n, (float)lr, (float)mu, (float)(1.0 - damp),
                     (float)(lr * mu), (float)wd, use_wd, use_damp, fresh, nesterov);
    else
        momentum_f64(p, g, b, n, lr, mu, 1.0 - damp, lr * mu, wd, use_wd, use_damp,
                     fresh, nesterov);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(adam_doc,
"adam(param, grad, m, v, v_max, beta_1, beta_2, eps_hat, scale, weight_decay, "
"decay)\n--\n\n"
"One Adam step, as Adam._update's NumPy passes. v_max is None without amsgrad;\n"
"decay is None for Adam (weight_decay joins the gradient) and 1 - lr*wd for\n"
"AdamW (the weights shrink first).");

static PyObject *
py_adam(PyObject *self, PyObject *args)
{
    PyObject *po, *go, *mo, *vo, *xo, *decay_o;
    double b1, b2, eps, scale, wd;
    if (!PyArg_ParseTuple(args, "OOOOOO&O&O&O&O&O:adam", &po, &go, &mo, &vo, &xo,
                          scalar, &b1, scalar, &b2, scalar, &eps, scalar, &scale,
                          scalar, &wd, &decay_o))
        return NULL;
    int decoupled = decay_o != Py_None;
    double decay = 1.0;
    if (decoupled && !scalar(decay_o, &decay)) return NULL;
    Buffers bufs = {.count = 0};
    void *p = take(&bufs, po, "param", 1);
    if (!p) return NULL;
    void *g = take(&bufs, go, "grad", 0);
    if (!g) return NULL;
    void *m = take(&bufs, mo, "m", 1);
    if (!m) return NULL;
    void *v = take(&bufs, vo, "v", 1);
    if (!v) return NULL;
    void *x = NULL;
    if (xo != Py_None) {
        x = take(&bufs, xo, "v_max", 1);
        if (!x) return NULL;
    }
    Py_ssize_t n = bufs.n;
    char f = bufs.format;
    int use_wd = !decoupled && wd != 0.0;
    Py_BEGIN_ALLOW_THREADS
    if (f == 'f')
        adam_f32(p, g, m, v, x, n, (float)b1, (float)(1.0 - b1), (float)b2,
                 (float)(1.0 - b2), (float)eps, (float)scale, (float)wd, use_wd,
                 (float)decay, decoupled);
    else
        adam_f64(p, g, m, v, x, n, b1, 1.0 - b1, b2, 1.0 - b2, eps, scale, wd, use_wd,
                 decay, decoupled);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(relu_backward_doc,
"relu_backward(grad_y, y, out)\n--\n\n"
"out = grad_y * (y > 0), as ReLU._derivative_times's NumPy pass (one loop, no\n"
"bool temporary).");

static PyObject *
py_relu_backward(PyObject *self, PyObject *args)
{
    PyObject *go, *yo, *oo;
    if (!PyArg_ParseTuple(args, "OOO:relu_backward", &go, &yo, &oo)) return NULL;
    Buffers bufs = {.count = 0};
    void *out = take(&bufs, oo, "out", 1);
    if (!out) return NULL;
    void *gy = take(&bufs, go, "grad_y", 0);
    if (!gy) return NULL;
    void *y = take(&bufs, yo, "y", 0);
    if (!y) return NULL;
    Py_ssize_t n = bufs.n;
    char f = bufs.format;
    Py_BEGIN_ALLOW_THREADS
    if (f == 'f')
        relu_backward_f32(gy, y, out, n);
    else
        relu_backward_f64(gy, y, out, n);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(bias_relu_doc,
"bias_relu(z, bias)\n--\n\n"
"z = maximum(z + bias, 0) in place, bias broadcast over z's rows (its last axis),\n"
"as Dense's np.add then ReLU's np.maximum (one loop instead of two).");

static PyObject *
py_bias_relu(PyObject *self, PyObject *args)
{
    PyObject *zo, *bo;
    if (!PyArg_ParseTuple(args, "OO:bias_relu", &zo, &bo)) return NULL;
    Buffers bufs = {.count = 0};
    void *z = take(&bufs, zo, "z", 1);
    if (!z) return NULL;
    const Py_buffer *zv = &bufs.views[0];
    Py_ssize_t cols = zv->ndim ? zv->shape[zv->ndim - 1] : 1;
    Py_ssize_t rows = cols ? bufs.n / cols : 0;
    /* the bias: z's format, not overlapping z, but its own shape, (n,) or (1, n) */
    const void *b = take_buffer(&bufs, bo, "bias", 0, 0);
    if (!b) return NULL;
    const Py_buffer *bv = &bufs.views[1];
    int ok = zv->ndim >= 1 && bv->len / bv->itemsize == cols &&
             /* a (1, n) bias needs a z of 2+ dims: NumPy can't add it into (n,) */
             (bv->ndim == 1 || (bv->ndim == 2 && bv->shape[0] == 1 && zv->ndim >= 2));
    if (!ok) {
        PyErr_SetString(PyExc_TypeError,
                        "bias: one row (n,) or (1, n) matching z's last axis is needed");
        release(&bufs);
        return NULL;
    }
    char f = bufs.format;
    Py_BEGIN_ALLOW_THREADS
    if (f == 'f')
        bias_relu_f32(z, b, rows, cols);
    else
        bias_relu_f64(z, b, rows, cols);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"bias_relu", py_bias_relu, METH_VARARGS, bias_relu_doc},
    {"relu_backward", py_relu_backward, METH_VARARGS, relu_backward_doc},
    {"sgd", py_sgd, METH_VARARGS, sgd_doc},
    {"sgd_momentum", py_momentum, METH_VARARGS, momentum_doc},
    {"adam", py_adam, METH_VARARGS, adam_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "glassnet._kernels",
    "Fused optimizer updates and ReLU backward, bit-identical to the NumPy passes.",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}

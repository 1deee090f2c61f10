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


/* ------------------------------------------------ the sliding-window loops
 *
 * Conv2D's im2col and col2im and MaxPooling2D's two passes, on channels-last
 * images (n, h, w, c), C-contiguous, already padded by the caller. NumPy runs
 * each as one strided operation per kernel offset (layers/conv.py, pooling.py),
 * kh·kw trips through memory with short inner runs of c elements; these loops
 * visit each sample once, while it is in cache. The same operations in the same
 * order per element: copies for im2col; for col2im, 0 + g₀ + g₁ + ... in offset
 * order; for max pooling, NumPy's maximum over the offsets in order and the
 * first-hit mask of its backward. */

typedef struct {
    Py_ssize_t n, h, w, c;    /* the (padded) input */
    Py_ssize_t kh, kw, sh, sw;
    Py_ssize_t oh, ow;        /* output pixels per axis */
    Py_ssize_t s0, s1;        /* the samples this call (or thread) does */
} Geometry;

#define GN_DEFINE_WINDOWS(T, SUFFIX)                                              \
    GN_CLONES static void im2col_##SUFFIX(const T *x, T *cols, Geometry g)       \
    {                                                                            \
        const Py_ssize_t c = g.c, run = g.kw * c;                                \
        T *dst = cols + g.s0 * g.oh * g.ow * g.kh * run;                         \
        for (Py_ssize_t s = g.s0; s < g.s1; s++) {                               \
            const T *img = x + s * g.h * g.w * c;                                \
            for (Py_ssize_t r = 0; r < g.oh; r++)                                \
                for (Py_ssize_t q = 0; q < g.ow; q++) {                          \
                    const T *win = img + (r * g.sh * g.w + q * g.sw) * c;        \
                    for (Py_ssize_t i = 0; i < g.kh; i++) {                      \
                        /* one window row: kw·c contiguous elements */           \
                        memcpy(dst, win + i * g.w * c, run * sizeof(T));         \
                        dst += run;                                              \
                    }                                                            \
                }                                                                \
        }                                                                        \
    }                                                                            \
                                                                                 \
    GN_CLONES static void col2im_##SUFFIX(const T *gc, T *gx, Geometry g)        \
    {                                                                            \
        /* gc: (n·oh·ow, kh·kw·c), im2col's layout; NumPy: gx.fill(0), then for  \
         * each offset k in order, gx[:, rows_k, cols_k] += gc's block k. Per    \
         * sample, the offsets in the same order, so each element sums in that   \
         * order. */                                                             \
        const Py_ssize_t c = g.c, pixels = g.oh * g.ow, row = g.kh * g.kw * c;   \
        const Py_ssize_t image = g.h * g.w * c;                                  \
        memset(gx + g.s0 * image, 0, (size_t)((g.s1 - g.s0) * image) * sizeof(T)); \
        for (Py_ssize_t s = g.s0; s < g.s1; s++) {                               \
            T *img = gx + s * image;                                             \
            const T *sample = gc + s * pixels * row;                             \
            for (Py_ssize_t i = 0; i < g.kh; i++)                                \
                for (Py_ssize_t j = 0; j < g.kw; j++) {                          \
                    const T *src = sample + (i * g.kw + j) * c;                  \
                    for (Py_ssize_t r = 0; r < g.oh; r++)                        \
                        for (Py_ssize_t q = 0; q < g.ow; q++) {                  \
                            T *dst = img + ((r * g.sh + i) * g.w + q * g.sw + j) * c; \
                            for (Py_ssize_t k = 0; k < c; k++)                   \
                                dst[k] = GN_ADD(dst[k], src[k]);                 \
                            src += row;                                          \
                        }                                                        \
                }                                                                \
        }                                                                        \
    }                                                                            \
                                                                                 \
    GN_CLONES static void max_pool_##SUFFIX(const T *x, T *out, Geometry g)      \
    {                                                                            \
        const Py_ssize_t c = g.c;                                                \
        T *o = out + g.s0 * g.oh * g.ow * c;                                     \
        for (Py_ssize_t s = g.s0; s < g.s1; s++) {                               \
            const T *img = x + s * g.h * g.w * c;                                \
            for (Py_ssize_t r = 0; r < g.oh; r++)                                \
                for (Py_ssize_t q = 0; q < g.ow; q++) {                          \
                    const T *win = img + (r * g.sh * g.w + q * g.sw) * c;        \
                    memcpy(o, win, c * sizeof(T));                               \
                    for (Py_ssize_t i = 0; i < g.kh; i++)                        \
                        for (Py_ssize_t j = (i == 0); j < g.kw; j++) {           \
                            const T *v = win + (i * g.w + j) * c;                \
                            for (Py_ssize_t k = 0; k < c; k++)                   \
                                o[k] = GN_MAXIMUM(o[k], v[k]);                   \
                        }                                                        \
                    o += c;                                                      \
                }                                                                \
        }                                                                        \
    }                                                                            \
                                                                                 \
    GN_INLINE void max_pool_window_##SUFFIX(                                     \
        const T *restrict v, const T *restrict o, const T *restrict go,          \
        T *restrict d, unsigned char *restrict taken, Py_ssize_t c)              \
    {                                                                            \
        for (Py_ssize_t k = 0; k < c; k++) {                                     \
            unsigned char hit = (v[k] == o[k]) & (taken[k] ^ 1);                 \
            taken[k] |= hit;                                                     \
            d[k] = go[k] * (T)hit;                                               \
        }                                                                        \
    }                                                                            \
                                                                                 \
    GN_CLONES static void max_pool_backward_##SUFFIX(                            \
        const T *x, const T *out, const T *gout, T *gx, unsigned char *first,    \
        Geometry g, int overlapping, int covered)                                \
    {                                                                            \
        /* NumPy, per offset t in order: hit = (x_t == out) and not taken;       \
         * taken |= hit; gx_t = gout * hit (+= when windows overlap). With       \
         * overlaps, per sample: first[p] = the first offset t with x_t ==       \
         * out[p] (255: none, a NaN maximum), then the same products and sums,   \
         * offsets in order. `first` holds oh·ow·c bytes. */                     \
        const Py_ssize_t c = g.c, image = g.h * g.w * c, per = g.oh * g.ow * c;  \
        if (overlapping || !covered)                                             \
            memset(gx + g.s0 * image, 0,                                         \
                   (size_t)((g.s1 - g.s0) * image) * sizeof(T));                 \
        if (!overlapping) {                                                      \
            /* each input in one window at most: window by window, in cache;     \
             * `first` serves as the taken row */                                \
            const T *o = out + g.s0 * per, *go = gout + g.s0 * per;              \
            for (Py_ssize_t s = g.s0; s < g.s1; s++) {                           \
                const T *img = x + s * image;                                    \
                T *gimg = gx + s * image;                                        \
                for (Py_ssize_t r = 0; r < g.oh; r++)                            \
                    for (Py_ssize_t q = 0; q < g.ow; q++) {                      \
                        const Py_ssize_t at = (r * g.sh * g.w + q * g.sw) * c;   \
                        memset(first, 0, (size_t)c);                             \
                        for (Py_ssize_t i = 0; i < g.kh; i++)                    \
                            for (Py_ssize_t j = 0; j < g.kw; j++) {              \
                                const Py_ssize_t off = at + (i * g.w + j) * c;   \
                                max_pool_window_##SUFFIX(img + off, o, go,       \
                                                         gimg + off, first, c);  \
                            }                                                    \
                        o += c;                                                  \
                        go += c;                                                 \
                    }                                                            \
            }                                                                    \
            return;                                                              \
        }                                                                        \
        /* overlapping windows: each input's additions in offset order, as       \
         * NumPy's; first the winning offset of every output, then the sums */   \
        for (Py_ssize_t s = g.s0; s < g.s1; s++) {                               \
            const T *img = x + s * image, *o = out + s * per, *go = gout + s * per; \
            T *gimg = gx + s * image;                                            \
            memset(first, 255, (size_t)per);                                     \
            for (Py_ssize_t i = 0; i < g.kh; i++)                                \
                for (Py_ssize_t j = 0; j < g.kw; j++) {                          \
                    const unsigned char t = (unsigned char)(i * g.kw + j);       \
                    for (Py_ssize_t r = 0; r < g.oh; r++)                        \
                        for (Py_ssize_t q = 0; q < g.ow; q++) {                  \
                            const T *restrict v =                                \
                                img + ((r * g.sh + i) * g.w + q * g.sw + j) * c; \
                            const Py_ssize_t p = (r * g.ow + q) * c;             \
                            const T *restrict op = o + p;                        \
                            unsigned char *restrict f = first + p;               \
                            for (Py_ssize_t k = 0; k < c; k++)                   \
                                f[k] = (f[k] == 255) & (v[k] == op[k]) ? t : f[k]; \
                        }                                                        \
                }                                                                \
            for (Py_ssize_t i = 0; i < g.kh; i++)                                \
                for (Py_ssize_t j = 0; j < g.kw; j++) {                          \
                    const unsigned char t = (unsigned char)(i * g.kw + j);       \
                    for (Py_ssize_t r = 0; r < g.oh; r++)                        \
                        for (Py_ssize_t q = 0; q < g.ow; q++) {                  \
                            T *restrict d =                                      \
                                gimg + ((r * g.sh + i) * g.w + q * g.sw + j) * c; \
                            const Py_ssize_t p = (r * g.ow + q) * c;             \
                            const T *restrict gp = go + p;                       \
                            const unsigned char *restrict f = first + p;         \
                            for (Py_ssize_t k = 0; k < c; k++)                   \
                                d[k] = GN_ADD(d[k], gp[k] * (T)(f[k] == t));     \
                        }                                                        \
                }                                                                \
        }                                                                        \
    }

GN_DEFINE_WINDOWS(float, f32)
GN_DEFINE_WINDOWS(double, f64)


/* ---------------------------------------------------------------- threads
 *
 * The memory-bound loops (windows, ReLU's passes) split their items into
 * contiguous parts, one per thread, when each part is large enough to pay for
 * starting a thread (~20 µs); the main thread takes the first part. Every
 * element is computed by exactly one thread with the same operations, so the
 * bits do not depend on the thread count. BLAS is idle while these run, so its
 * cores are free, unless its own threads still spin after the last product
 * (OpenBLAS's do, for OPENBLAS_THREAD_TIMEOUT): then a second thread here only
 * shares a core with them. So one thread unless set_threads(n) says otherwise
 * (glassnet._fused calls it with GLASSNET_NUM_THREADS). */

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define GN_HAVE_THREADS 1
#endif

#define GN_MAX_THREADS 64
/* below this many elements of work per part, one thread does it all */
#define GN_MIN_PART_ELEMENTS ((Py_ssize_t)1 << 17)

static int gn_threads = 1;

typedef void (*gn_range_fn)(void *ctx, Py_ssize_t start, Py_ssize_t stop, int part);

typedef struct {
    gn_range_fn fn;
    void *ctx;
    Py_ssize_t start, stop;
    int part;
} gn_job;

#ifdef GN_HAVE_THREADS
static void *
gn_run_job(void *arg)
{
    gn_job *job = (gn_job *)arg;
    job->fn(job->ctx, job->start, job->stop, job->part);
    return NULL;
}
#endif

/* fn(ctx, start, stop, part) over [0, n) in at most `threads` parts (read from
 * gn_threads while the GIL was held), items of `weight` elements each; call with
 * the GIL released. A thread that cannot start leaves its part to this one. */
static void
gn_parallel(gn_range_fn fn, void *ctx, Py_ssize_t n, Py_ssize_t weight, int threads)
{
    Py_ssize_t parts = threads;
    Py_ssize_t per = weight > 0 ? GN_MIN_PART_ELEMENTS / weight : n;
    if (per < 1) per = 1;
    if (parts > n / per) parts = n / per;
    if (parts > GN_MAX_THREADS) parts = GN_MAX_THREADS;
#ifdef GN_HAVE_THREADS
    if (parts >= 2) {
        gn_job jobs[GN_MAX_THREADS];
        pthread_t ids[GN_MAX_THREADS];
        int started[GN_MAX_THREADS];
        for (Py_ssize_t t = 0; t < parts; t++) {
            jobs[t].fn = fn;
            jobs[t].ctx = ctx;
            jobs[t].start = n * t / parts;
            jobs[t].stop = n * (t + 1) / parts;
            jobs[t].part = (int)t;
        }
        for (Py_ssize_t t = 1; t < parts; t++)
            started[t] = pthread_create(&ids[t], NULL, gn_run_job, &jobs[t]) == 0;
        fn(ctx, jobs[0].start, jobs[0].stop, 0);
        for (Py_ssize_t t = 1; t < parts; t++) {
            if (started[t])
                pthread_join(ids[t], NULL);
            else
                fn(ctx, jobs[t].start, jobs[t].stop, (int)t);
        }
        return;
    }
#endif
    fn(ctx, 0, n, 0);
}

typedef struct {
    const void *a, *b, *c;
    void *out;
    unsigned char *scratch; /* per part: `stride` bytes each */
    Py_ssize_t stride;
    Geometry g;
    Py_ssize_t cols;
    int f64, flag1, flag2;
} gn_ctx;

/* fn_range(ctx, start, stop, part): the loop of one part of the samples, on the
 * buffer ctx->a read and ctx->out written (im2col, col2im, max_pool). */
#define GN_WINDOW_RANGE(NAME)                                                    \
    static void NAME##_range(void *p, Py_ssize_t start, Py_ssize_t stop, int part) \
    {                                                                            \
        (void)part;                                                              \
        gn_ctx *x = p;                                                           \
        Geometry g = x->g;                                                       \
        g.s0 = start;                                                            \
        g.s1 = stop;                                                             \
        if (x->f64)                                                              \
            NAME##_f64(x->a, x->out, g);                                         \
        else                                                                     \
            NAME##_f32(x->a, x->out, g);                                         \
    }

GN_WINDOW_RANGE(im2col)
GN_WINDOW_RANGE(col2im)
GN_WINDOW_RANGE(max_pool)

static void
max_pool_backward_range(void *p, Py_ssize_t start, Py_ssize_t stop, int part)
{
    gn_ctx *x = p;
    Geometry g = x->g;
    g.s0 = start;
    g.s1 = stop;
    if (x->f64)
        max_pool_backward_f64(x->a, x->b, x->c, x->out, x->scratch + part * x->stride, g,
                              x->flag1, x->flag2);
    else
        max_pool_backward_f32(x->a, x->b, x->c, x->out, x->scratch + part * x->stride, g,
                              x->flag1, x->flag2);
}

static void
relu_backward_range(void *p, Py_ssize_t start, Py_ssize_t stop, int part)
{
    (void)part;
    gn_ctx *x = p;
    if (x->f64)
        relu_backward_f64((const double *)x->a + start, (const double *)x->b + start,
                          (double *)x->out + start, stop - start);
    else
        relu_backward_f32((const float *)x->a + start, (const float *)x->b + start,
                          (float *)x->out + start, stop - start);
}

static void
bias_relu_range(void *p, Py_ssize_t start, Py_ssize_t stop, int part)
{
    (void)part;
    gn_ctx *x = p;
    Py_ssize_t cols = x->cols;
    if (x->f64)
        bias_relu_f64((double *)x->out + start * cols, x->a, stop - start, cols);
    else
        bias_relu_f32((float *)x->out + start * cols, x->a, stop - start, cols);
}

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
    gn_ctx ctx = {.a = gy, .b = y, .out = out, .f64 = f == 'd'};
    int threads = gn_threads;
    Py_BEGIN_ALLOW_THREADS
    gn_parallel(relu_backward_range, &ctx, n, 1, threads);
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
    gn_ctx ctx = {.a = b, .out = z, .cols = cols, .f64 = f == 'd'};
    int threads = gn_threads;
    Py_BEGIN_ALLOW_THREADS
    gn_parallel(bias_relu_range, &ctx, rows, cols, threads);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}


/* --------------------------------------------------- the window functions */

/* Take each of count arrays as 4-D (n, h, w, c), all of one float format; the
 * first is the input image batch. Sizes are checked by the caller. */
static int
take_images(Buffers *bufs, PyObject **objs, const char **names, const int *writable,
            int count)
{
    for (int a = 0; a < count; a++)
        if (!take_buffer(bufs, objs[a], names[a], writable[a], 0)) return 0;
    if (bufs->views[0].ndim != 4) {
        PyErr_SetString(PyExc_TypeError, "x: a 4-D (n, h, w, c) array is needed");
        release(bufs);
        return 0;
    }
    return 1;
}

/* The window geometry from x's shape and the four ints; 0 with TypeError when
 * a window does not fit (the caller then runs NumPy, which says what is wrong). */
static int
geometry_of(const Py_buffer *x, Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t sh,
            Py_ssize_t sw, Geometry *g)
{
    g->n = x->shape[0];
    g->h = x->shape[1];
    g->w = x->shape[2];
    g->c = x->shape[3];
    g->kh = kh;
    g->kw = kw;
    g->sh = sh;
    g->sw = sw;
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || g->h < kh || g->w < kw) {
        PyErr_SetString(PyExc_TypeError, "the windows do not fit the image");
        return 0;
    }
    g->oh = (g->h - kh) / sh + 1;
    g->ow = (g->w - kw) / sw + 1;
    g->s0 = 0;
    g->s1 = g->n;
    return 1;
}

static int
check_items(Buffers *bufs, int index, Py_ssize_t expected, const char *name)
{
    const Py_buffer *v = &bufs->views[index];
    if (v->len / v->itemsize != expected) {
        PyErr_Format(PyExc_TypeError, "%s: %zd items expected, got %zd", name,
                     expected, v->len / v->itemsize);
        release(bufs);
        return 0;
    }
    return 1;
}

PyDoc_STRVAR(im2col_doc,
"im2col(x, cols, kh, kw, sh, sw)\n--\n\n"
"Every kh×kw window of the (padded) images x (n, h, w, c), moved by (sh, sw),\n"
"copied as a row of cols (n·oh·ow, kh·kw·c) in (i, j, channel) order, as\n"
"Conv2D._im2col's strided copies.");

/* The two-array window functions, f(A, B, kh, kw, sh, sw): the image batch is the
 * argument at `image` (its shape gives the geometry), the other holds kh·kw·c
 * (`whole_windows`) or c values per output pixel; `writes` is the argument
 * written. range_fn then runs over the samples in parts, reading the other
 * argument and writing the written one. */
static PyObject *
window_pair(PyObject *args, const char *format, const char *names[2], int image,
            int writes, int whole_windows, gn_range_fn range_fn)
{
    PyObject *given[2], *objs[2];
    Py_ssize_t kh, kw, sh, sw;
    if (!PyArg_ParseTuple(args, format, &given[0], &given[1], &kh, &kw, &sh, &sw))
        return NULL;
    /* the image first: take_images checks the first array is 4-D */
    const char *order[2] = {names[image], names[1 - image]};
    const int writable[2] = {writes == image, writes != image};
    objs[0] = given[image];
    objs[1] = given[1 - image];
    Buffers bufs = {.count = 0};
    if (!take_images(&bufs, objs, order, writable, 2)) return NULL;
    Geometry g;
    if (!geometry_of(&bufs.views[0], kh, kw, sh, sw, &g)) {
        release(&bufs);
        return NULL;
    }
    Py_ssize_t per_pixel = (whole_windows ? kh * kw : 1) * g.c;
    if (!check_items(&bufs, 1, g.n * g.oh * g.ow * per_pixel, order[1])) return NULL;
    Py_ssize_t image_items = g.h * g.w * g.c, other_items = g.oh * g.ow * per_pixel;
    int written = writes == image ? 0 : 1;
    gn_ctx ctx = {.a = bufs.views[1 - written].buf, .out = bufs.views[written].buf,
                  .g = g, .f64 = bufs.format == 'd'};
    int threads = gn_threads;
    Py_BEGIN_ALLOW_THREADS
    gn_parallel(range_fn, &ctx, g.n,
                image_items > other_items ? image_items : other_items, threads);
    Py_END_ALLOW_THREADS
    release(&bufs);
    Py_RETURN_NONE;
}

static PyObject *
py_im2col(PyObject *self, PyObject *args)
{
    const char *names[] = {"x", "cols"};
    return window_pair(args, "OOnnnn:im2col", names, 0, 1, 1, im2col_range);
}

PyDoc_STRVAR(col2im_doc,
"col2im(grad_cols, grad_x, kh, kw, sh, sw)\n--\n\n"
"grad_x (n, h, w, c) = 0, then each window's row of grad_cols (n·oh·ow, kh·kw·c)\n"
"added where im2col copied it from, offsets in order, as Conv2D._col2im's\n"
"NumPy additions.");

static PyObject *
py_col2im(PyObject *self, PyObject *args)
{
    const char *names[] = {"grad_cols", "grad_x"};
    return window_pair(args, "OOnnnn:col2im", names, 1, 1, 1, col2im_range);
}

PyDoc_STRVAR(max_pool_doc,
"max_pool(x, out, kh, kw, sh, sw)\n--\n\n"
"out (n, oh, ow, c) = the maximum of each window of the (padded) x, NumPy's\n"
"np.maximum over the offsets in order, as MaxPooling2D._pool.");

static PyObject *
py_max_pool(PyObject *self, PyObject *args)
{
    const char *names[] = {"x", "out"};
    return window_pair(args, "OOnnnn:max_pool", names, 0, 1, 0, max_pool_range);
}

PyDoc_STRVAR(max_pool_backward_doc,
"max_pool_backward(x, out, grad_out, grad_x, kh, kw, sh, sw)\n--\n\n"
"grad_x (n, h, w, c): each output's gradient sent to the first input (offset\n"
"order) equal to its maximum, 0 times it elsewhere; added where windows overlap;\n"
"0 outside every window. As MaxPooling2D._scatter's NumPy passes.");

static PyObject *
py_max_pool_backward(PyObject *self, PyObject *args)
{
    PyObject *objs[4];
    Py_ssize_t kh, kw, sh, sw;
    if (!PyArg_ParseTuple(args, "OOOOnnnn:max_pool_backward", &objs[0], &objs[1],
                          &objs[2], &objs[3], &kh, &kw, &sh, &sw))
        return NULL;
    Buffers bufs = {.count = 0};
    const char *names[] = {"x", "out", "grad_out", "grad_x"};
    const int writable[] = {0, 0, 0, 1};
    if (!take_images(&bufs, objs, names, writable, 4)) return NULL;
    Geometry g;
    if (!geometry_of(&bufs.views[0], kh, kw, sh, sw, &g)) {
        release(&bufs);
        return NULL;
    }
    if (!check_items(&bufs, 1, g.n * g.oh * g.ow * g.c, "out") ||
        !check_items(&bufs, 2, g.n * g.oh * g.ow * g.c, "grad_out") ||
        !check_items(&bufs, 3, g.n * g.h * g.w * g.c, "grad_x"))
        return NULL;
    if (kh * kw > 255) { /* offsets are kept in a byte, 255 meaning none */
        PyErr_SetString(PyExc_TypeError, "at most 255 offsets per window");
        release(&bufs);
        return NULL;
    }
    int overlapping = sh < kh || sw < kw;
    int covered = sh == kh && sw == kw && g.oh * sh == g.h && g.ow * sw == g.w;
    Py_ssize_t stride = g.oh * g.ow * g.c;
    int threads = gn_threads; /* read once: the scratch and the parts agree */
    unsigned char *scratch = PyMem_Malloc((size_t)(stride ? stride : 1) * threads);
    if (!scratch) {
        release(&bufs);
        return PyErr_NoMemory();
    }
    gn_ctx ctx = {.a = bufs.views[0].buf, .b = bufs.views[1].buf,
                  .c = bufs.views[2].buf, .out = bufs.views[3].buf, .g = g,
                  .scratch = scratch, .stride = stride,
                  .f64 = bufs.format == 'd', .flag1 = overlapping, .flag2 = covered};
    Py_BEGIN_ALLOW_THREADS
    gn_parallel(max_pool_backward_range, &ctx, g.n, g.h * g.w * g.c, threads);
    Py_END_ALLOW_THREADS
    PyMem_Free(scratch);
    release(&bufs);
    Py_RETURN_NONE;
}


PyDoc_STRVAR(set_threads_doc,
"set_threads(n)\n--\n\n"
"Threads for the memory-bound loops (at least 1, at most 64); the bits do not\n"
"depend on it.");

static PyObject *
py_set_threads(PyObject *self, PyObject *args)
{
    int n;
    if (!PyArg_ParseTuple(args, "i:set_threads", &n)) return NULL;
    if (n < 1 || n > GN_MAX_THREADS) {
        PyErr_Format(PyExc_ValueError, "threads must be 1 to %d, got %d",
                     GN_MAX_THREADS, n);
        return NULL;
    }
    gn_threads = n;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(get_threads_doc,
"get_threads()\n--\n\nThe thread count set_threads chose.");

static PyObject *
py_get_threads(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(gn_threads);
}

static PyMethodDef methods[] = {
    {"bias_relu", py_bias_relu, METH_VARARGS, bias_relu_doc},
    {"relu_backward", py_relu_backward, METH_VARARGS, relu_backward_doc},
    {"sgd", py_sgd, METH_VARARGS, sgd_doc},
    {"sgd_momentum", py_momentum, METH_VARARGS, momentum_doc},
    {"adam", py_adam, METH_VARARGS, adam_doc},
    {"im2col", py_im2col, METH_VARARGS, im2col_doc},
    {"col2im", py_col2im, METH_VARARGS, col2im_doc},
    {"max_pool", py_max_pool, METH_VARARGS, max_pool_doc},
    {"max_pool_backward", py_max_pool_backward, METH_VARARGS, max_pool_backward_doc},
    {"set_threads", py_set_threads, METH_VARARGS, set_threads_doc},
    {"get_threads", py_get_threads, METH_NOARGS, get_threads_doc},
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

/* The entity recogniser's per-step BLAS calls through numpy's OpenBLAS.
 *
 * spaCy's transition parser (which the NER is) scores each step's states with
 * a small matrix product and builds their hidden layer with a few vector sums,
 * through thinc's ``CBlas`` table.  That table points at the BLIS bundled
 * with thinc, which does not know this machine's processor (AMD family 19h)
 * and runs its generic reference code.  thinc lets the table be re-pointed
 * (``set_sgemm`` and ``set_saxpy`` in its ``cblas.pxd``, exported as
 * capsules), but only with C function pointers: this module holds the two C
 * functions, which call the OpenBLAS numpy already loaded (its ILP64 CBLAS
 * entry points, whose addresses are passed in from Python), and sets them.
 *
 * Nothing is linked: a missing symbol or a build without a compiler leaves
 * the table as thinc made it (ingest/nlp.py, route_parser_blas).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };  /* CBLAS's enum values */

typedef int64_t blasint;  /* OpenBLAS built with 64-bit integers (the "64_" symbols) */
typedef void (*OpenblasSgemm)(int, int, int, blasint, blasint, blasint, float, const float *,
                              blasint, const float *, blasint, float, float *, blasint);
typedef void (*OpenblasSaxpy)(blasint, float, const float *, blasint, float *, blasint);

/* thinc's sgemm_ptr and saxpy_ptr (thinc/backends/cblas.pxd); bint is a C int. */
typedef void (*SgemmPtr)(int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
typedef void (*SaxpyPtr)(int, float, const float *, int, float *, int);
typedef void (*SetSgemm)(PyObject *, SgemmPtr);
typedef void (*SetSaxpy)(PyObject *, SaxpyPtr);

static OpenblasSgemm openblas_sgemm;
static OpenblasSaxpy openblas_saxpy;

/* Row-major C = alpha * op(A) op(B) + beta * C, as BLIS's sgemm in thinc's table takes it. */
static void sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                  int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    openblas_sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, m, n, k,
                   alpha, a, lda, b, ldb, beta, c, ldc);
}

static void saxpy(int n, float alpha, const float *x, int incx, float *y, int incy) {
    openblas_saxpy(n, alpha, x, incx, y, incy);
}

/* The address of the function a capsule from a Cython module's __pyx_capi__ holds; 0 with
 * an exception set when it is not one. */
static uintptr_t capsule_function(PyObject *capsule) {
    if (!PyCapsule_CheckExact(capsule)) {
        PyErr_SetString(PyExc_TypeError, "expected a capsule from thinc.backends.cblas");
        return 0;
    }
    return (uintptr_t)PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule));
}

/* The functions of an sgemm capsule and a saxpy capsule, into out; -1 with an exception
 * set when one is not a capsule. */
static int capsule_functions(PyObject *sgemm_capsule, PyObject *saxpy_capsule,
                             uintptr_t out[2]) {
    out[0] = capsule_function(sgemm_capsule);
    if (out[0] == 0) return -1;
    out[1] = capsule_function(saxpy_capsule);
    return out[1] == 0 ? -1 : 0;
}

static PyObject *use_openblas(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *table, *set_sgemm_capsule, *set_saxpy_capsule;
    unsigned long long sgemm_address, saxpy_address;
    if (!PyArg_ParseTuple(args, "OOOKK", &table, &set_sgemm_capsule, &set_saxpy_capsule,
                          &sgemm_address, &saxpy_address))
        return NULL;
    if (sgemm_address == 0 || saxpy_address == 0) {
        PyErr_SetString(PyExc_ValueError, "an OpenBLAS function address is 0");
        return NULL;
    }
    uintptr_t setters[2];
    if (capsule_functions(set_sgemm_capsule, set_saxpy_capsule, setters) < 0) return NULL;
    SetSgemm set_sgemm = (SetSgemm)setters[0];
    SetSaxpy set_saxpy = (SetSaxpy)setters[1];
    openblas_sgemm = (OpenblasSgemm)(uintptr_t)sgemm_address;
    openblas_saxpy = (OpenblasSaxpy)(uintptr_t)saxpy_address;
    set_sgemm(table, sgemm);
    set_saxpy(table, saxpy);
    Py_RETURN_NONE;
}

typedef SgemmPtr (*GetSgemm)(PyObject *);
typedef SaxpyPtr (*GetSaxpy)(PyObject *);

static PyObject *table_functions(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *table, *sgemm_capsule, *saxpy_capsule;
    if (!PyArg_ParseTuple(args, "OOO", &table, &sgemm_capsule, &saxpy_capsule)) return NULL;
    uintptr_t getters[2];
    if (capsule_functions(sgemm_capsule, saxpy_capsule, getters) < 0) return NULL;
    GetSgemm get_sgemm = (GetSgemm)getters[0];
    GetSaxpy get_saxpy = (GetSaxpy)getters[1];
    return Py_BuildValue("(KK)", (unsigned long long)(uintptr_t)get_sgemm(table),
                         (unsigned long long)(uintptr_t)get_saxpy(table));
}

static PyObject *bridge_functions(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return Py_BuildValue("(KK)", (unsigned long long)(uintptr_t)sgemm,
                         (unsigned long long)(uintptr_t)saxpy);
}

static PyMethodDef methods[] = {
    {"table_functions", table_functions, METH_VARARGS,
     "table_functions(table, sgemm, saxpy): the addresses a thinc CBlas table's sgemm and "
     "saxpy point at, read through thinc's own getters."},
    {"bridge_functions", bridge_functions, METH_NOARGS,
     "bridge_functions(): the addresses of this module's sgemm and saxpy."},
    {"use_openblas", use_openblas, METH_VARARGS,
     "use_openblas(table, set_sgemm, set_saxpy, sgemm_address, saxpy_address): point a "
     "thinc CBlas table's sgemm and saxpy at OpenBLAS's ILP64 cblas_sgemm and cblas_saxpy."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_parser_blas",
    .m_doc = "The entity recogniser's per-step BLAS calls through numpy's OpenBLAS (nlp.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__parser_blas(void) { return PyModule_Create(&module); }

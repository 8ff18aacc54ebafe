/* The reader's glyph loop in C: pdfplumber char dicts from a pdfium text page.
 *
 * The same loop as ``pdfium_text._py_glyphs``, which stays as the fallback and
 * as the reference the tests compare this with.  In Python each glyph pays
 * two to four ctypes calls and a dict literal, about 3 microseconds; here
 * the pdfium calls are plain C calls and the dict a copy of a template.
 *
 * pdfium is not linked: the caller passes the addresses of the four pdfium
 * functions it needs, taken from pypdfium2's own bindings, so this module
 * uses exactly the library pypdfium2 loaded.  What a text object's glyphs
 * share (font name, size, descent, widths) comes from a Python callable,
 * once an object, so the font logic lives in one place.
 *
 * The arithmetic is Python's, in the same order, on doubles; the build turns
 * off fused multiply-adds (pyproject.toml) so every float is the same.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    float left, top, right, bottom;
} RectF; /* pdfium's FS_RECTF */

typedef void *(*TextObjectFn)(void *, int);
typedef int (*MapErrorFn)(void *, int);
typedef int (*OriginFn)(void *, int, double *, double *);
typedef int (*LooseBoxFn)(void *, int, RectF *);

static PyObject *k_text, *k_fontname, *k_size, *k_x0, *k_x1, *k_top, *k_bottom, *k_doctop,
    *k_width, *k_height, *k_object_type, *k_upright, *v_char, *v_hyphen;

static const Py_UCS4 BULLET = 0x2022;

/* Set a float value under a key of a dict; 0 on success. */
static int set_float(PyObject *dict, PyObject *key, double value) {
    PyObject *number = PyFloat_FromDouble(value);
    if (number == NULL) return -1;
    int failed = PyDict_SetItem(dict, key, number);
    Py_DECREF(number);
    return failed;
}

/* Item i of a tuple of addresses, as an integer a function pointer can be made of. */
static uintptr_t address_of(PyObject *seq, Py_ssize_t i) {
    return (uintptr_t)PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(seq, i));
}

/* The per-object values the callback returns, borrowed from its tuple. */
typedef struct {
    PyObject *tuple;  /* owned */
    PyObject *fontname, *size, *afm, *kind;
    double size_value, hscale, drop;
    int printable_mapped;
} ObjInfo;

static int read_info(PyObject *callback, void *key, int index, ObjInfo *info) {
    PyObject *result = PyObject_CallFunction(callback, "Ni", PyLong_FromVoidPtr(key), index);
    if (result == NULL) return -1;
    if (!PyTuple_Check(result) || PyTuple_GET_SIZE(result) != 7) {
        Py_DECREF(result);
        PyErr_SetString(PyExc_TypeError, "object info: a tuple of 7 expected");
        return -1;
    }
    Py_XDECREF(info->tuple);
    info->tuple = result;
    info->fontname = PyTuple_GET_ITEM(result, 0);
    info->size = PyTuple_GET_ITEM(result, 1);
    info->size_value = PyFloat_AsDouble(info->size);
    info->hscale = PyFloat_AsDouble(PyTuple_GET_ITEM(result, 2));
    info->drop = PyFloat_AsDouble(PyTuple_GET_ITEM(result, 3));
    info->afm = PyTuple_GET_ITEM(result, 4);
    info->kind = PyTuple_GET_ITEM(result, 5);
    info->printable_mapped = PyObject_IsTrue(PyTuple_GET_ITEM(result, 6));
    if (info->afm != Py_None && !PyDict_Check(info->afm)) {
        PyErr_SetString(PyExc_TypeError, "object info: widths must be a dict or None");
        return -1;
    }
    if (PyErr_Occurred()) return -1;
    return 0;
}

/* chars(textpage, texts, height, functions, object_info, needs_layout, template)
 *   -> (chars, bullets)
 *
 * textpage: the text page's address; texts: the character at each index;
 * functions: addresses of FPDFText_GetTextObject, FPDFText_HasUnicodeMapError,
 * FPDFText_GetCharOrigin, FPDFText_GetLooseCharBox; object_info(key, index):
 * (fontname, size, hscale, drop, afm or None, bullet kind, printable_mapped);
 * needs_layout: the exception raised when pdfium cannot be followed.
 */
static PyObject *chars(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *tp_obj, *texts, *functions, *callback, *needs_layout;
    double height;
    if (!PyArg_ParseTuple(args, "OUdO!OO", &tp_obj, &texts, &height, &PyTuple_Type, &functions,
                          &callback, &needs_layout))
        return NULL;
    if (PyTuple_GET_SIZE(functions) != 4) {
        PyErr_SetString(PyExc_ValueError, "four pdfium functions expected");
        return NULL;
    }
    void *tp = PyLong_AsVoidPtr(tp_obj);
    TextObjectFn text_object = (TextObjectFn)address_of(functions, 0);
    MapErrorFn map_error = (MapErrorFn)address_of(functions, 1);
    OriginFn origin = (OriginFn)address_of(functions, 2);
    LooseBoxFn loose_box = (LooseBoxFn)address_of(functions, 3);
    if (PyErr_Occurred()) return NULL;
    if (!tp || !text_object || !map_error || !origin || !loose_box) {
        PyErr_SetString(PyExc_ValueError, "a NULL address");
        return NULL;
    }

    Py_ssize_t count = PyUnicode_GET_LENGTH(texts);
    PyObject *out = PyList_New(0);
    PyObject *bullets = PyDict_New();
    PyObject *template = PyDict_New();
    ObjInfo info = {0};
    if (out == NULL || bullets == NULL || template == NULL) goto fail;
    /* The keys in pdfplumber's order, with the values no glyph changes. */
    PyObject *keys[] = {k_object_type, k_text, k_fontname, k_size, k_upright, k_x0, k_x1,
                        k_top, k_bottom, k_doctop, k_width, k_height};
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
        PyObject *value = j == 0 ? v_char : j == 4 ? Py_True : Py_None;
        if (PyDict_SetItem(template, keys[j], value)) goto fail;
    }

    double ox = 0, oy = 0, last_x = 0, last_y = 0;
    RectF box = {0, 0, 0, 0};
    void *last_key = NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        int index = (int)i;
        void *key = text_object(tp, index);
        if (!key) continue; /* generated by pdfium: a line break or an implied space */
        if (key != last_key && read_info(callback, key, index, &info)) goto fail;
        Py_UCS4 code = PyUnicode_READ_CHAR(texts, i);
        if (code == 0 || ((code < 0x20 || !info.printable_mapped) && map_error(tp, index))) {
            PyErr_SetString(needs_layout, "a glyph without a unicode mapping");
            goto fail;
        }
        PyObject *text;
        if (code == 0x02 || code == 0xFFFE) { /* pdfium's marker for a hyphen ending a line */
            text = v_hyphen;
            Py_INCREF(text);
            code = '-';
        } else {
            text = PyUnicode_FromOrdinal((int)code);
            if (text == NULL) goto fail;
        }
        origin(tp, index, &ox, &oy);
        double x = ox, y = oy, x1;
        if (key == last_key && x == last_x && y == last_y) {
            Py_DECREF(text);
            PyErr_SetString(needs_layout, "one glyph read as several characters");
            goto fail;
        }
        last_key = key;
        last_x = x;
        last_y = y;
        if (info.afm == Py_None) {
            loose_box(tp, index, &box);
            x1 = (double)box.right;
        } else {
            PyObject *width = PyDict_GetItemWithError(info.afm, text);
            double units = 0;
            if (width != NULL) {
                units = PyFloat_AsDouble(width);
            }
            if (PyErr_Occurred()) {
                Py_DECREF(text);
                goto fail;
            }
            x1 = x + units * info.hscale / 1000;
            if (code == BULLET) {
                PyObject *at = PyLong_FromSsize_t(PyList_GET_SIZE(out));
                int failed = at == NULL || PyDict_SetItem(bullets, at, info.kind);
                Py_XDECREF(at);
                if (failed) {
                    Py_DECREF(text);
                    goto fail;
                }
            }
        }
        double bottom = y + info.drop;
        double top = height - (bottom + info.size_value);
        PyObject *ch = PyDict_Copy(template);
        if (ch == NULL) {
            Py_DECREF(text);
            goto fail;
        }
        PyObject *top_value = PyFloat_FromDouble(top);
        int failed = PyDict_SetItem(ch, k_text, text) ||
                     PyDict_SetItem(ch, k_fontname, info.fontname) ||
                     PyDict_SetItem(ch, k_size, info.size) || set_float(ch, k_x0, x) ||
                     set_float(ch, k_x1, x1) || top_value == NULL ||
                     PyDict_SetItem(ch, k_top, top_value) ||
                     set_float(ch, k_bottom, height - bottom) ||
                     PyDict_SetItem(ch, k_doctop, top_value) ||
                     set_float(ch, k_width, x1 - x) || PyDict_SetItem(ch, k_height, info.size) ||
                     PyList_Append(out, ch);
        Py_DECREF(text);
        Py_XDECREF(top_value);
        Py_DECREF(ch);
        if (failed) goto fail;
    }
    Py_XDECREF(info.tuple);
    Py_DECREF(template);
    return Py_BuildValue("(NN)", out, bullets);

fail:
    Py_XDECREF(info.tuple);
    Py_XDECREF(template);
    Py_XDECREF(out);
    Py_XDECREF(bullets);
    return NULL;
}

static PyMethodDef methods[] = {
    {"chars", chars, METH_VARARGS, "pdfplumber char dicts of a pdfium text page's glyphs."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_glyphs",
    .m_doc = "The reader's glyph loop in C (see pdfium_text.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__glyphs(void) {
    struct { PyObject **slot; const char *text; } names[] = {
        {&k_text, "text"}, {&k_fontname, "fontname"}, {&k_size, "size"}, {&k_x0, "x0"},
        {&k_x1, "x1"}, {&k_top, "top"}, {&k_bottom, "bottom"}, {&k_doctop, "doctop"},
        {&k_width, "width"}, {&k_height, "height"}, {&k_object_type, "object_type"},
        {&k_upright, "upright"}, {&v_char, "char"}, {&v_hyphen, "-"},
    };
    for (size_t j = 0; j < sizeof names / sizeof names[0]; j++) {
        *names[j].slot = PyUnicode_InternFromString(names[j].text);
        if (*names[j].slot == NULL) return NULL;
    }
    return PyModule_Create(&module);
}

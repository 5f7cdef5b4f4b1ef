/* pickle.c - the restricted unpickler (pickle.h). A stack machine over node indices, with
   a memo and a stack of marks, like Python's own Unpickler, but every opcode that could run
   code or make an object other than the plain values of a state dict is refused, and so is
   every global but the seven a torch.save'd state dict names. No recursion anywhere: the
   tree may even hold cycles (a dict put into itself through the memo) without harm, since
   nothing here walks it. */
#include "pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"

static const struct {
    const char *module, *name, *full;
} globals[PG_COUNT] = {
    [PG_ORDERED_DICT] = {"collections", "OrderedDict", "collections.OrderedDict"},
    [PG_REBUILD_TENSOR] = {"torch._utils", "_rebuild_tensor_v2", "torch._utils._rebuild_tensor_v2"},
    [PG_REBUILD_PARAMETER] = {"torch._utils", "_rebuild_parameter", "torch._utils._rebuild_parameter"},
    [PG_FLOAT_STORAGE] = {"torch", "FloatStorage", "torch.FloatStorage"},
    [PG_HALF_STORAGE] = {"torch", "HalfStorage", "torch.HalfStorage"},
    [PG_DOUBLE_STORAGE] = {"torch", "DoubleStorage", "torch.DoubleStorage"},
    [PG_BFLOAT16_STORAGE] = {"torch", "BFloat16Storage", "torch.BFloat16Storage"},
};

static const char *const kind_names[PK_KINDS] = {
    "None", "a bool", "an int", "a float", "a str", "a tuple", "a list", "a dict",
    "a global", "a storage", "a tensor",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == PK_KINDS, "one name per kind");

/* Opcodes we refuse, named for the message (the rest are named by their byte). */
static const struct {
    uint8_t op;
    const char *name;
} refused[] = {
    {'i', "INST"}, {'o', "OBJ"}, {0x81, "NEWOBJ"}, {0x92, "NEWOBJ_EX"}, {0x82, "EXT1"}, {0x83, "EXT2"},
    {0x84, "EXT4"}, {'P', "PERSID"}, {0x8b, "LONG4"}, {'B', "BINBYTES"}, {'C', "SHORT_BINBYTES"},
    {0x8e, "BINBYTES8"}, {0x96, "BYTEARRAY8"}, {0x8d, "BINUNICODE8"}, {'S', "STRING"}, {'V', "UNICODE"},
    {'I', "INT"}, {'L', "LONG"}, {'F', "FLOAT"}, {'d', "DICT"}, {'l', "LIST"}, {'2', "DUP"}, {'g', "GET"},
    {'p', "PUT"}, {0x8f, "EMPTY_SET"}, {0x90, "ADDITEMS"}, {0x91, "FROZENSET"}, {0x97, "NEXT_BUFFER"},
    {0x98, "READONLY_BUFFER"},
};

const char *pk_kind_name(PkKind k) { return k >= 0 && k < PK_KINDS ? kind_names[k] : "?"; }

const char *pk_global_name(PkGlobal g) { return g >= 0 && g < PG_COUNT ? globals[g].full : "?"; }

typedef struct {
    Pickle *pk;
    Err *e;
    const uint8_t *start, *p, *end;
    int *stack;
    size_t depth, stack_cap;
    size_t marks[PK_MAX_MARKS];
    int nmarks;
    int *memo;
    size_t memo_cap, memo_len; /* memo_len: entries put (MEMOIZE's next index) */
} Vm;

static int fail(Vm *m, const char *why)
{
    return err_set(m->e, "%s: damaged checkpoint pickle at byte %zu: %s", m->pk->path,
                   (size_t)(m->p - m->start), why);
}

static int grow(Vm *m, void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(*buf, c * size);
    if (!q) return err_set(m->e, "%s: out of memory", m->pk->path);
    *buf = q;
    *cap = c;
    return 0;
}

/* A new node; -1 on failure. */
static int node(Vm *m, PkKind kind)
{
    Pickle *pk = m->pk;
    if (pk->nv >= PK_MAX_NODES) return fail(m, "more than 1,048,576 values");
    if (grow(m, (void **)&pk->v, &pk->capv, pk->nv + 1, sizeof *pk->v) != 0) return -1;
    PkVal *v = &pk->v[pk->nv];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->a = v->b = -1;
    return (int)pk->nv++;
}

static int push(Vm *m, int v)
{
    if (v < 0) return -1;
    if (m->depth >= PK_MAX_NODES) return fail(m, "the stack is too deep");
    if (grow(m, (void **)&m->stack, &m->stack_cap, m->depth + 1, sizeof *m->stack) != 0) return -1;
    m->stack[m->depth++] = v;
    return 0;
}

/* Pops one value above the topmost mark; -1 if there is none. */
static int pop(Vm *m)
{
    size_t floor = m->nmarks ? m->marks[m->nmarks - 1] : 0;
    if (m->depth <= floor) return fail(m, "pops from an empty stack");
    return m->stack[--m->depth];
}

static int top(Vm *m)
{
    size_t floor = m->nmarks ? m->marks[m->nmarks - 1] : 0;
    if (m->depth <= floor) return fail(m, "uses the top of an empty stack");
    return m->stack[m->depth - 1];
}

static int add_item(Vm *m, int container, int key, int val)
{
    Pickle *pk = m->pk;
    if (pk->nit >= PK_MAX_NODES) return fail(m, "more than 1,048,576 items");
    if (grow(m, (void **)&pk->it, &pk->capit, pk->nit + 1, sizeof *pk->it) != 0) return -1;
    int k = (int)pk->nit++;
    pk->it[k] = (PkItem){key, val, -1};
    PkVal *c = &pk->v[container];
    if (c->b >= 0) pk->it[c->b].next = k;
    else c->a = k;
    c->b = k;
    c->count++;
    return 0;
}

/* Takes n bytes of argument; NULL if the pickle ends first. */
static const uint8_t *take(Vm *m, uint64_t n)
{
    if (n > (uint64_t)(m->end - m->p)) {
        fail(m, "an argument runs past the end of the pickle");
        return NULL;
    }
    const uint8_t *q = m->p;
    m->p += n;
    return q;
}

/* ---- opcodes ----------------------------------------------------------------------- */

/* TUPLE, APPENDS, SETITEMS: the values above the topmost mark, which is removed. */
static int from_mark(Vm *m, size_t *at)
{
    if (m->nmarks == 0) return fail(m, "no MARK to collect from");
    *at = m->marks[--m->nmarks];
    return 0;
}

static int op_tuple(Vm *m, int n)
{
    size_t at = 0;
    if (n < 0 && from_mark(m, &at) != 0) return -1;
    if (n >= 0) {
        size_t floor = m->nmarks ? m->marks[m->nmarks - 1] : 0;
        if (m->depth - floor < (size_t)n) return fail(m, "TUPLE of more values than the stack holds");
        at = m->depth - (size_t)n;
    }
    int t = node(m, PK_TUPLE);
    if (t < 0) return -1;
    for (size_t i = at; i < m->depth; i++)
        if (add_item(m, t, -1, m->stack[i]) != 0) return -1;
    m->depth = at;
    return push(m, t);
}

static int op_setitems(Vm *m, int batch)
{
    size_t at = m->depth - 2;
    if (batch && from_mark(m, &at) != 0) return -1;
    if (!batch && (m->depth < 2 || m->depth - 2 < (m->nmarks ? m->marks[m->nmarks - 1] : 0)))
        return fail(m, "SETITEM needs a key and a value");
    if ((m->depth - at) % 2) return fail(m, "SETITEMS with a key but no value");
    if (at == 0 || (m->nmarks && at <= m->marks[m->nmarks - 1])) return fail(m, "SETITEMS without a dict");
    int d = m->stack[at - 1];
    if (m->pk->v[d].kind != PK_DICT)
        return err_set(m->e, "%s: the checkpoint's pickle sets items of %s, not a dict; refused", m->pk->path,
                       pk_kind_name(m->pk->v[d].kind));
    for (size_t i = at; i < m->depth; i += 2)
        if (add_item(m, d, m->stack[i], m->stack[i + 1]) != 0) return -1;
    m->depth = at;
    return 0;
}

static int op_appends(Vm *m, int batch)
{
    size_t at = m->depth - 1;
    if (batch && from_mark(m, &at) != 0) return -1;
    if (!batch && m->depth < 2) return fail(m, "APPEND needs a list and a value");
    if (at == 0 || (m->nmarks && at <= m->marks[m->nmarks - 1])) return fail(m, "APPENDS without a list");
    int l = m->stack[at - 1];
    if (m->pk->v[l].kind != PK_LIST)
        return err_set(m->e, "%s: the checkpoint's pickle appends to %s, not a list; refused", m->pk->path,
                       pk_kind_name(m->pk->v[l].kind));
    for (size_t i = at; i < m->depth; i++)
        if (add_item(m, l, -1, m->stack[i]) != 0) return -1;
    m->depth = at;
    return 0;
}

static int str_node(Vm *m, uint64_t n)
{
    const uint8_t *s = take(m, n);
    if (!s) return -1;
    int v = node(m, PK_STR);
    if (v < 0) return -1;
    m->pk->v[v].s = s;
    m->pk->v[v].n = (size_t)n;
    return push(m, v);
}

static int int_node(Vm *m, int64_t x, PkKind kind)
{
    int v = node(m, kind);
    if (v < 0) return -1;
    m->pk->v[v].i = x;
    return push(m, v);
}

/* Bytes of a module or name, printable, for the refusal. */
static void printable(char *out, size_t size, const uint8_t *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) out[o++] = s[i] < 0x20 || s[i] >= 0x7f ? '?' : (char)s[i];
    out[o] = '\0';
}

static int global(Vm *m, const uint8_t *mod, size_t mn, const uint8_t *name, size_t nn)
{
    for (int g = 0; g < PG_COUNT; g++) {
        if (strlen(globals[g].module) == mn && !memcmp(globals[g].module, mod, mn) && strlen(globals[g].name) == nn &&
            !memcmp(globals[g].name, name, nn))
            return int_node(m, g, PK_GLOBAL);
    }
    char a[80], b[80];
    printable(a, sizeof a, mod, mn);
    printable(b, sizeof b, name, nn);
    return err_set(m->e, "%s: the checkpoint's pickle calls %s.%s, which a weight file never needs; refused",
                   m->pk->path, a, b);
}

/* GLOBAL: "module\nname\n" */
static int op_global(Vm *m)
{
    const uint8_t *line[2];
    size_t len[2];
    for (int k = 0; k < 2; k++) {
        size_t left = (size_t)(m->end - m->p), lim = left < 256 ? left : 256;
        const uint8_t *nl = memchr(m->p, '\n', lim);
        if (!nl) return fail(m, "GLOBAL's name has no end within 256 bytes");
        line[k] = m->p;
        len[k] = (size_t)(nl - m->p);
        m->p = nl + 1;
    }
    return global(m, line[0], len[0], line[1], len[1]);
}

static int op_stack_global(Vm *m)
{
    int name = pop(m);
    int mod = name < 0 ? -1 : pop(m);
    if (mod < 0) return -1;
    const PkVal *a = &m->pk->v[mod], *b = &m->pk->v[name];
    if (a->kind != PK_STR || b->kind != PK_STR) return fail(m, "STACK_GLOBAL needs two strings");
    return global(m, a->s, a->n, b->s, b->n);
}

/* ('storage', TYPE, key, location, numel) */
static int op_persid(Vm *m)
{
    int t = pop(m);
    if (t < 0) return -1;
    Pickle *pk = m->pk;
    int f[5];
    for (int k = 0; k < 5; k++) f[k] = pk_item(pk, t, k);
    if (pk->v[t].kind != PK_TUPLE || pk->v[t].count != 5 || pk->v[f[0]].kind != PK_STR ||
        pk->v[f[0]].n != 7 || memcmp(pk->v[f[0]].s, "storage", 7) != 0)
        return err_set(m->e, "%s: the checkpoint's pickle has a persistent id that is not a storage "
                             "('storage', type, key, location, size); refused", pk->path);
    const PkVal *ty = &pk->v[f[1]];
    if (ty->kind != PK_GLOBAL || ty->i < PG_FLOAT_STORAGE)
        return err_set(m->e, "%s: a storage's type is %s, not torch.FloatStorage, HalfStorage, DoubleStorage or "
                             "BFloat16Storage", pk->path, ty->kind == PK_GLOBAL ? pk_global_name((PkGlobal)ty->i)
                                                                                 : pk_kind_name(ty->kind));
    if (pk->v[f[2]].kind != PK_STR || pk->v[f[4]].kind != PK_INT || pk->v[f[4]].i < 0)
        return fail(m, "a storage's key is not a string or its size not a count");
    int type = (int)ty->i; /* node() may move pk->v: nothing may point into it across the call */
    int s = node(m, PK_STORAGE);
    if (s < 0) return -1;
    pk->v[s].a = f[2];
    pk->v[s].b = type;
    pk->v[s].i = pk->v[f[4]].i;
    return push(m, s);
}

static int op_reduce(Vm *m)
{
    int args = pop(m);
    int fn = args < 0 ? -1 : pop(m);
    if (fn < 0) return -1;
    Pickle *pk = m->pk;
    const PkVal *f = &pk->v[fn], *a = &pk->v[args];
    if (f->kind != PK_GLOBAL)
        return err_set(m->e, "%s: the checkpoint's pickle calls %s, not a function a state dict uses; refused",
                       pk->path, pk_kind_name(f->kind));
    if (a->kind != PK_TUPLE) return fail(m, "REDUCE's arguments are not a tuple");
    if (f->i == PG_ORDERED_DICT && a->count == 0) return push(m, node(m, PK_DICT));
    if (f->i == PG_REBUILD_TENSOR) {
        int t = node(m, PK_TENSOR);
        if (t < 0) return -1;
        pk->v[t].a = args;
        return push(m, t);
    }
    if (f->i == PG_REBUILD_PARAMETER && a->count >= 1 && pk->v[pk_item(pk, args, 0)].kind == PK_TENSOR)
        return push(m, pk_item(pk, args, 0));
    return err_set(m->e, "%s: the checkpoint's pickle calls %s with arguments a state dict never gives it; refused",
                   pk->path, pk_global_name((PkGlobal)f->i));
}

static int op_build(Vm *m)
{
    int state = pop(m);
    int obj = state < 0 ? -1 : top(m);
    if (obj < 0) return -1;
    if (m->pk->v[obj].kind != PK_DICT) /* an OrderedDict's _metadata is ignored; nothing else is built */
        return err_set(m->e, "%s: the checkpoint's pickle sets the state of %s; refused", m->pk->path,
                       pk_kind_name(m->pk->v[obj].kind));
    return 0;
}

static int memo_put(Vm *m, uint64_t idx)
{
    int v = top(m);
    if (v < 0) return -1;
    if (idx >= PK_MAX_NODES) return fail(m, "memo index too large");
    size_t old = m->memo_cap;
    if (grow(m, (void **)&m->memo, &m->memo_cap, (size_t)idx + 1, sizeof *m->memo) != 0) return -1;
    for (size_t i = old; i < m->memo_cap; i++) m->memo[i] = -1;
    if (m->memo[idx] < 0) m->memo_len++;
    m->memo[idx] = v;
    return 0;
}

static int memo_get(Vm *m, uint64_t idx)
{
    if (idx >= m->memo_cap || m->memo[idx] < 0) return fail(m, "gets a memo entry never put");
    return push(m, m->memo[idx]);
}

static int refuse_op(Vm *m, uint8_t op)
{
    const char *name = NULL;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (refused[i].op == op) name = refused[i].name;
    char code[48];
    if (name) snprintf(code, sizeof code, "%s (0x%02x)", name, op);
    else snprintf(code, sizeof code, "0x%02x", op);
    return err_set(m->e, "%s: the checkpoint's pickle uses opcode %s at byte %zu, which a state dict never needs; "
                         "refused", m->pk->path, code, (size_t)(m->p - 1 - m->start));
}

/* Integers little-endian, as pickle stores them; LONG1 in two's complement. */
static int64_t le_signed(const uint8_t *q, size_t n)
{
    uint64_t u = 0;
    for (size_t i = 0; i < n; i++) u |= (uint64_t)q[i] << (8 * i);
    if (n && n < 8 && (q[n - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * n);
    return (int64_t)u;
}

/* One opcode; 1 at STOP. */
static int step(Vm *m)
{
    if (m->p >= m->end) return fail(m, "the pickle ends without STOP");
    uint8_t op = *m->p++;
    const uint8_t *q;
    switch (op) {
    case 0x80: /* PROTO */
        if (!(q = take(m, 1))) return -1;
        return *q <= 5 ? 0 : fail(m, "unknown pickle protocol");
    case 0x95: return take(m, 8) ? 0 : -1; /* FRAME: a hint for buffering */
    case '(': /* MARK */
        if (m->nmarks == PK_MAX_MARKS) return fail(m, "MARKs nested more than 64 deep");
        m->marks[m->nmarks++] = m->depth;
        return 0;
    case '0': return pop(m) < 0 ? -1 : 0; /* POP */
    case '1': { /* POP_MARK */
        size_t at = 0;
        if (from_mark(m, &at) != 0) return -1;
        m->depth = at;
        return 0;
    }
    case 'N': return push(m, node(m, PK_NONE));
    case 0x88: return int_node(m, 1, PK_BOOL);
    case 0x89: return int_node(m, 0, PK_BOOL);
    case 'K': return (q = take(m, 1)) ? int_node(m, q[0], PK_INT) : -1;
    case 'M': return (q = take(m, 2)) ? int_node(m, (int64_t)(q[0] | q[1] << 8), PK_INT) : -1;
    case 'J': return (q = take(m, 4)) ? int_node(m, le_signed(q, 4), PK_INT) : -1;
    case 0x8a: { /* LONG1 */
        if (!(q = take(m, 1))) return -1;
        size_t n = q[0];
        if (n > 8) return fail(m, "an integer wider than 64 bits");
        return (q = take(m, n)) ? int_node(m, le_signed(q, n), PK_INT) : -1;
    }
    case 'G': { /* BINFLOAT: big-endian IEEE double */
        if (!(q = take(m, 8))) return -1;
        uint64_t u = 0;
        for (int i = 0; i < 8; i++) u = u << 8 | q[i];
        int v = node(m, PK_FLOAT);
        if (v < 0) return -1;
        memcpy(&m->pk->v[v].f, &u, sizeof u);
        return push(m, v);
    }
    case 'X': case 'T': return (q = take(m, 4)) ? str_node(m, pb_le32(q)) : -1; /* BINUNICODE, BINSTRING */
    case 0x8c: case 'U': return (q = take(m, 1)) ? str_node(m, q[0]) : -1; /* SHORT_BINUNICODE, _BINSTRING */
    case '}': return push(m, node(m, PK_DICT));
    case ']': return push(m, node(m, PK_LIST));
    case ')': return op_tuple(m, 0);
    case 0x85: return op_tuple(m, 1);
    case 0x86: return op_tuple(m, 2);
    case 0x87: return op_tuple(m, 3);
    case 't': return op_tuple(m, -1);
    case 's': return op_setitems(m, 0);
    case 'u': return op_setitems(m, 1);
    case 'a': return op_appends(m, 0);
    case 'e': return op_appends(m, 1);
    case 'q': return (q = take(m, 1)) ? memo_put(m, q[0]) : -1;
    case 'r': return (q = take(m, 4)) ? memo_put(m, pb_le32(q)) : -1;
    case 0x94: return memo_put(m, m->memo_len); /* MEMOIZE: the next index */
    case 'h': return (q = take(m, 1)) ? memo_get(m, q[0]) : -1;
    case 'j': return (q = take(m, 4)) ? memo_get(m, pb_le32(q)) : -1;
    case 'c': return op_global(m);
    case 0x93: return op_stack_global(m);
    case 'Q': return op_persid(m);
    case 'R': return op_reduce(m);
    case 'b': return op_build(m);
    case '.': { /* STOP */
        int v = pop(m);
        if (v < 0) return -1;
        m->pk->root = v;
        return 1;
    }
    default: return refuse_op(m, op);
    }
}

int pk_load(Pickle *pk, const uint8_t *p, size_t n, const char *path, Err *e)
{
    memset(pk, 0, sizeof *pk);
    pk->path = path;
    pk->root = -1;
    if (n > PK_MAX_BYTES)
        return err_set(e, "%s: the checkpoint's pickle is %zu bytes, more than a state dict needs (%zu MB at most)",
                       path, n, PK_MAX_BYTES >> 20);
    Vm m = {.pk = pk, .e = e, .start = p, .p = p, .end = p + n};
    int rc;
    while ((rc = step(&m)) == 0) {}
    free(m.stack);
    free(m.memo);
    if (rc < 0) pk_free(pk);
    return rc < 0 ? -1 : 0;
}

void pk_free(Pickle *pk)
{
    free(pk->v);
    free(pk->it);
    pk->v = NULL;
    pk->it = NULL;
    pk->nv = pk->nit = 0;
}

int pk_item(const Pickle *pk, int node, int k)
{
    if (node < 0 || (size_t)node >= pk->nv) return -1;
    const PkVal *c = &pk->v[node];
    if (c->kind != PK_TUPLE && c->kind != PK_LIST) return -1;
    int it = c->a;
    while (it >= 0 && k-- > 0) it = pk->it[it].next;
    return it >= 0 ? pk->it[it].val : -1;
}

#!/usr/bin/python3
"""Generate the oracle tables embedded in test_value.c and test_expr.c.

The expected strings come from CPython itself (run with /usr/bin/python3,
3.11 when the tables were last made): repr(float) for the float table, and
eval() of each expression for the expression table (repr, str and
json.dumps(ensure_ascii=False) of the result, or "ExceptionName: message").

kiln differs from Python on purpose in two ways, which this script applies
on top of Python's answer (see magics/expr.h):
  * ints are 64-bit: any int literal, operation or builtin result outside
    [-2**63, 2**63 - 1] is an OverflowError (the table records only the
    exception name for these; the C test checks the name);
  * there are no complex numbers: a negative number raised to a fractional
    power is a ValueError.
Anything else kiln words differently (syntax errors, tuples, str %) is
tested by hand in the C files, not here.

Regenerate (rewrites the text between the BEGIN/END GENERATED markers):
    /usr/bin/python3 tests/magics/gen_expr_cases.py
The random cases use a fixed seed, so the output is reproducible.
"""

import ast
import json
import math
import os
import random
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INT_MIN, INT_MAX = -2**63, 2**63 - 1

# ---------------------------------------------------------------- C output


def c_string(s):
    """A C string literal for the UTF-8 bytes of s."""
    out = ['"']
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "?":
            out.append("\\?")  # no trigraphs
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def c_opt(s):
    return "NULL" if s is None else c_string(s)


def replace_block(path, name, body):
    """Replace the lines between the BEGIN/END markers named `name`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    begin = "/* BEGIN GENERATED %s (tests/magics/gen_expr_cases.py) */\n" % name
    end = "/* END GENERATED %s */" % name
    i = text.index(begin) + len(begin)
    j = text.index(end, i)
    text = text[:i] + body + text[j:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

# ---------------------------------------------------------- float repr table


def float_cases(rng):
    vals = [0.0, -0.0, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 1.5, 7.5, 42.0,
            -1.5e-3, 100.0, 1e15, 1e16, 1e17, 9999999999999998.0,
            9999999999999999.0, 1e16 - 2, 1e16 + 2, 123456789012345678.0,
            0.0001, 0.00001, 0.00012345, 1.5e-7, 1e-4, 1e-5, 5e-324,
            1e-323, 2.2250738585072014e-308, 2.225073858507201e-308,
            1.7976931348623157e308, 1e308, 1e22, 1e23, 9007199254740993.0,
            9007199254740992.0, 4503599627370496.5, 0.5, 2.5, 1e-7, 123.456,
            3.141592653589793, 2.718281828459045, 1e100, 1e-100,
            1.2345678901234567e-300, 6.02214076e23, 299792458.0]
    vals += [10.0 ** e for e in range(-30, 31)]
    vals += [-(10.0 ** e) * 1.5 for e in range(-8, 20, 3)]
    # Powers of two have lopsided rounding intervals: the case where the
    # nearest n-digit decimal does not round-trip but a neighbour does.
    exps = list(range(-1074, -1050)) + list(range(-1050, 970, 11)) + \
        list(range(970, 1024))
    vals += [math.ldexp(1.0, e) for e in exps]
    vals += [math.nextafter(math.ldexp(1.0, e), 0.0) for e in exps[::6]]
    vals += [math.nextafter(math.ldexp(1.0, e), math.inf) for e in exps[::6]]
    # Random bit patterns (finite), random subnormals, random "nice"
    # decimals.
    while len(vals) < 520:
        bits = rng.getrandbits(64)
        d = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isfinite(d):
            vals.append(d)
    for _ in range(40):
        bits = rng.getrandbits(52) | (rng.getrandbits(1) << 63)
        vals.append(struct.unpack("<d", struct.pack("<Q", bits))[0])
    for _ in range(40):
        vals.append(round(rng.uniform(-1000, 1000), rng.randint(0, 6)))
    out = []
    seen = set()
    for d in vals:
        bits = struct.unpack("<Q", struct.pack("<d", d))[0]
        if bits in seen:
            continue
        seen.add(bits)
        out.append("    {UINT64_C(0x%016x), %s},\n" % (bits, c_string(repr(d))))
    return "".join(out)

# --------------------------------------------------------- expression table


class Overflow(Exception):
    pass


class KilnValueError(Exception):
    pass


ENV = {
    "x": 5,
    "y": 2.5,
    "s": "h\u00e9llo",
    "l": [1, 2, 3],
    "d": {"a": 1, "b": [1, 2]},
    "t": True,
    "n": None,
    "big": INT_MAX,
    "neg": INT_MIN,
    "e": "",
}

BUILTINS = {"float": float, "int": int, "str": str, "bool": bool, "len": len,
            "abs": abs, "min": min, "max": max, "round": round}


def check(v):
    if type(v) is int and not INT_MIN <= v <= INT_MAX:
        raise Overflow()
    if type(v) is complex:
        raise KilnValueError(
            "negative number cannot be raised to a fractional power")
    return v


def ev(node):
    """Evaluate a parsed expression with Python's operators, applying the
    64-bit rule at every node as kiln does."""
    if isinstance(node, ast.Expression):
        return ev(node.body)
    if isinstance(node, ast.Constant):
        return check(node.value)
    if isinstance(node, ast.UnaryOp):
        if (isinstance(node.op, ast.USub) and
                isinstance(node.operand, ast.Constant) and
                node.operand.value == 2**63 and
                type(node.operand.value) is int):
            return INT_MIN
        v = ev(node.operand)
        if isinstance(node.op, ast.USub):
            return check(-v)
        if isinstance(node.op, ast.UAdd):
            return check(+v)
        raise AssertionError("operator outside the language")
    if isinstance(node, ast.BinOp):
        a, b = ev(node.left), ev(node.right)
        op = type(node.op)
        if op is ast.Mod and type(a) is str:
            raise AssertionError("str % is tested by hand")
        f = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b,
             ast.Mult: lambda: a * b, ast.Div: lambda: a / b,
             ast.FloorDiv: lambda: a // b, ast.Mod: lambda: a % b,
             ast.Pow: lambda: a ** b}[op]
        return check(f())
    if isinstance(node, ast.List):
        return [ev(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            kv = ev(k)
            out[kv] = ev(v)
        return out
    if isinstance(node, ast.Name):
        if node.id in ENV:
            return ENV[node.id]
        if node.id in BUILTINS:
            raise TypeError("%s is a builtin function: call it, as in %s(...)"
                            % (node.id, node.id))
        raise NameError("name '%s' is not defined" % node.id)
    if isinstance(node, ast.Call):
        name = node.func.id
        if name not in ENV and name not in BUILTINS:
            raise NameError("name '%s' is not defined" % name)
        args = [ev(a) for a in node.args]
        if name in ENV:
            raise TypeError("'%s' object is not callable"
                            % type(ENV[name]).__name__)
        return check(BUILTINS[name](*args))
    if isinstance(node, ast.Subscript):
        return ev(node.value)[ev(node.slice)]
    raise AssertionError("unsupported node %r" % node)


def expect(src):
    """(repr, str, json, error) for one expression."""
    try:
        v = ev(ast.parse(src, mode="eval"))
    except Overflow:
        return None, None, None, "OverflowError: *"
    except KilnValueError as e:
        return None, None, None, "ValueError: %s" % e
    except Exception as e:  # Python's own error, in Python's words
        return None, None, None, "%s: %s" % (type(e).__name__, e)
    return repr(v), str(v), json.dumps(v, ensure_ascii=False), None


# Hand-picked expressions, evaluated by Python above.
HAND = r'''
42
-1.5e-3
0x1F
0X1f
0o17
0b1011
1_000_000
0x_ff
1_0.5e1_0
1.
.5
1e3
1E-3
0
00
0.0
-0.0
007.5
0e0
9223372036854775807
-9223372036854775808
9223372036854775808
-9223372036854775809
18446744073709551616
99999999999999999999999999
0xffffffffffffffff
0x7fffffffffffffff
1e400
-1e400
1e-400
"text"
'text'
"it's"
'say "hi"'
'both \' and "'
r'raw\n'
R"raw\t"
u'plain'
'a' "b" 'c'
'tab\there'
'nl\nx'
'cr\rx'
'\\'
'\x00\x01\x1f\x7f\x80\x9f'
'\u00e9\u4e2d\U0001F600'
'\101\102\0'
'\d unknown escape'
'h\u00e9llo w\u00f6rld'
'\x41'
'\a\b\f\v'
''
True
False
None
[1, 2]
[1, 2,]
[]
[[1, [2, [3]]], 'a', None, True, 1.5]
{"a": 1}
{"a": 1, 2: [1, 2],}
{}
{1: 'a', 1.0: 'b', True: 'c'}
{None: 1, 1.5: 2, False: 3, 'k': {'n': [1]}}
{'a': 1, 'a': 2}
(1 + 2)
((((((1))))))
6 * 7
2 ** 10
2 ** -1
-2 ** 2
(-2) ** 2
2 ** 3 ** 2
-2 ** -2
2 ** -2 ** 2
1 + 2 * 3 - 4 / 5
7 // 2
-7 // 2
7 // -2
-7 % 2
7 % -2
-7 % -2
7.5 % -2
-7.5 % 2
7.5 // -2
-0.0 // 1
0.0 % -1
1 / 3
10 / 2
-9223372036854775807 / 3
9223372036854775807 / 9223372036854775806
9007199254740993 / 1
9223372036854775807 / 1
-9223372036854775808 / -1
0 / -5
1 / 0
1 // 0
1 % 0
1.0 / 0
1 / 0.0
1.0 // 0
1.0 % 0
0 ** -1
0.0 ** -1
0 ** 0
0.0 ** 0
(-8) ** (1/3)
(-2.5) ** 3
(-1) ** 4611686018427387904
(-1) ** 4611686018427387905
1 ** 9223372036854775807
2 ** 62
2 ** 63
(-2) ** 63
(-2) ** 64
3 ** 40
10.0 ** 400
10.0 ** -400
2.0 ** 0.5
float('inf') ** 0
float('nan') ** 0
1 ** float('nan')
float('inf') - float('inf')
float('inf') * 0
float('nan') + 1
9223372036854775807 + 1
-9223372036854775808 - 1
9223372036854775807 * 2
-9223372036854775808 // -1
-9223372036854775808 % -1
-(-9223372036854775808)
-neg
big + 1
neg - 1
big * -1
neg // 1
True + True
True * 3.5
True / 2
False ** 0
-True
+True
1 + 1.5
3 * 0.1
'a' + 'b'
'ab' * 3
3 * 'ab'
'ab' * 0
'ab' * -1
'ab' * True
[1] * 3
3 * [1, 2]
[1, 2] + [3]
[1] * -1
[] * 5
[[1]] * 2
'a' + 1
1 + 'a'
[1] + 1
[1] + 'a'
'a' * 'b'
'a' * 1.5
1.5 * 'a'
[1] * [2]
None * 'a'
'a' * {}
{} * 2
{} + {}
'a' - 'b'
'a' ** 2
'a' / 2
None + 1
[1] // 2
-'a'
+[1]
-None
-{}
l[0]
l[-1]
l[2]
l[3]
l[-4]
l[True]
l[1.0]
l['a']
s[1]
s[-1]
s[5]
s['a']
d['a']
d['b'][1]
d['missing']
d[1]
d[[1]]
d[None]
x[0]
y[0]
n[0]
[1, 2, 3][1]
'abc'[0]
{'a': [1, {'b': 2}]}['a'][1]['b']
[[1, 2], [3, 4]][1][0]
x
y
s
l
d
t
n
undefined_name
x + y
x * s
s + s
l + l
x(1)
foo(1)
len
float
float()
float(1)
float(True)
float(2.5)
float('1.5')
float(' 1.5 ')
float('\t-2.5e3\n')
float('1_000.5')
float('nan')
float('-nan')
float('inf')
float('-inf')
float('+Infinity')
float('iNF')
float('.5')
float('5.')
float('1e500')
float('abc')
float('')
float(' ')
float('1_')
float('_1')
float('1__0')
float('0x10')
float('1.5.5')
float('e5')
float([1])
float(None)
float(1, 2)
int()
int(42)
int(True)
int(3.9)
int(-3.9)
int(1e18)
int(1e19)
int(-9.3e18)
int(float('nan'))
int(float('inf'))
int('42')
int('  -42  ')
int('+7')
int('1_000')
int('007')
int('4.5')
int('abc')
int('')
int('0x1f')
int('0x1f', 16)
int('1f', 16)
int('0x1f', 0)
int('0o17', 0)
int('0b101', 0)
int('010', 0)
int('000', 0)
int('z', 36)
int('9223372036854775807')
int('-9223372036854775808')
int('9223372036854775808')
int('1', 1)
int('1', 37)
int(1.5, 10)
int('1', 1.5)
int(None)
int([1])
int(1, 2, 3)
str()
str(1)
str(1.5)
str(1e16)
str('a')
str([1, 'a'])
str({'k': 'v'})
str(None)
str(True)
bool()
bool(0)
bool(1)
bool(0.0)
bool(float('nan'))
bool('')
bool('a')
bool([])
bool([0])
bool({})
bool(None)
bool(1, 2)
len('abc')
len(s)
len('')
len([1, 2])
len({'a': 1})
len(5)
len(None)
len()
len('a', 'b')
abs(-3)
abs(3)
abs(-2.5)
abs(-0.0)
abs(True)
abs(-9223372036854775807)
abs(neg)
abs('a')
abs()
abs(1, 2)
min(3, 1, 2)
max(3, 1, 2)
min([3, 1, 2])
max([3, 1, 2])
min('hello')
max('hello')
max(s)
min({'b': 1, 'a': 2})
min(1, 2.5)
max(1, 2.5, True)
min(1, 1.0)
max(1.0, 1)
min(float('nan'), 1)
min(1, float('nan'))
max([1, 2], [1, 3])
min([1, 2], [1])
min('b', 'a', 'c')
min(9007199254740993, 9007199254740992.0)
max(9007199254740993, 9007199254740992.0)
min()
min([])
max('')
min(5)
min(1, 'a')
max(1, 'a')
max([1, 2], ['a'])
min(None, None)
round(2.5)
round(3.5)
round(-2.5)
round(0.5)
round(-0.5)
round(1.4999999999999999)
round(2.675, 2)
round(1.005, 2)
round(0.125, 2)
round(0.375, 2)
round(-1.5, 0)
round(-0.4, 0)
round(1234.5678, -2)
round(1250.0, -2)
round(1350.0, -2)
round(-1250.0, -2)
round(5.0, -1)
round(15.0, -1)
round(50.0, -2)
round(51.0, -2)
round(150.0, -2)
round(-5.0, -2)
round(1e300, -300)
round(1.7976931348623157e308, -308)
round(1e-300, 300)
round(1.5, 400)
round(1.5, -400)
round(123.456, 1)
round(123.456, None)
round(1e20)
round(float('nan'))
round(float('inf'))
round(float('nan'), 2)
round(float('inf'), 2)
round(5)
round(5, 2)
round(15, -1)
round(25, -1)
round(-15, -1)
round(-25, -1)
round(1234, -2)
round(1250, -2)
round(9223372036854775807, -1)
round(9223372036854775807, -18)
round(9223372036854775807, -19)
round(4999999999999999999, -19)
round(-5000000000000000000, -19)
round(123, -20)
round(True)
round(True, -1)
round(2.5, True)
round('a')
round(1.5, 'a')
round(1.5, 1.0)
round()
round(1, 2, 3)
str(round(2.5)) + 'x'
float('1.5') * int('2') + len('abc')
max(min(3, 4), abs(-2))
'''
HAND_EXTRA = ['"""a\nb"""', "'''x'y\"z'''", "'''multi\nline\ttext'''"]


def random_number(rng):
    kind = rng.random()
    if kind < 0.35:
        return str(rng.randint(0, 20))
    if kind < 0.5:
        return str(rng.randint(0, 10**6))
    if kind < 0.6:
        return str(rng.choice([2**31, 2**32, 2**53, 2**53 + 1, 2**62,
                               2**63 - 1, 10**18, 3037000499, 3037000500]))
    if kind < 0.65:
        return rng.choice(["True", "False"])
    if kind < 0.9:
        d = rng.uniform(0, 100) * 10.0 ** rng.randint(-5, 5)
        return repr(round(d, rng.randint(0, 8)))
    return repr(rng.choice([0.1, 0.5, 2.5, 1e-300, 1e300, 1e16, 3.0,
                            1.7976931348623157e308, 5e-324]))


def random_expr(rng, depth):
    if depth == 0 or rng.random() < 0.3:
        text = random_number(rng)
        return ("-" + text) if rng.random() < 0.3 else text
    op = rng.choice(["+", "-", "*", "/", "//", "%", "**"])
    left = random_expr(rng, depth - 1)
    if op == "**":
        right = rng.choice([str(rng.randint(-3, 70)), "0.5", "-1.5", "2.0",
                            str(rng.randint(0, 5))])
    else:
        right = random_expr(rng, depth - 1)
    if rng.random() < 0.5:
        return "(%s) %s (%s)" % (left, op, right)
    return "%s %s %s" % (left, op, right)


def expr_cases(rng):
    srcs = [line for line in HAND.split("\n") if line.strip()] + HAND_EXTRA
    # Literal-heavy random arithmetic, including precedence without parens.
    for _ in range(450):
        srcs.append(random_expr(rng, rng.randint(1, 3)))
    # int true division of large values (one correctly rounded result).
    for _ in range(40):
        a = rng.randint(-2**63 + 1, 2**63 - 1)
        b = rng.randint(1, 2**rng.randint(1, 63) - 1) * rng.choice([1, -1])
        srcs.append("%d / %d" % (a, b))
    out = []
    for src in srcs:
        r, s, j, e = expect(src)
        out.append("    {%s, %s, %s, %s, %s},\n"
                   % (c_string(src), c_opt(r), c_opt(s), c_opt(j), c_opt(e)))
    return "".join(out)


def main():
    rng = random.Random(20240611)
    replace_block(os.path.join(HERE, "test_value.c"), "float_repr",
                  float_cases(rng))
    replace_block(os.path.join(HERE, "test_expr.c"), "expr_cases",
                  expr_cases(rng))
    print("python %s: tables rewritten" % sys.version.split()[0])


if __name__ == "__main__":
    main()

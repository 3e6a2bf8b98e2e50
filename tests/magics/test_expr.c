/* Tests for the expression language (magics/expr*.c): Python's semantics
 * checked against CPython, kiln's own syntax-error wording, scanning,
 * identifiers, nesting limits and pathological inputs.
 *
 * The expr_cases table is generated: CPython evaluated every expression in
 * it (repr, str and json.dumps of the result, or the exception it raised),
 * with kiln's two deliberate differences applied (64-bit ints, no complex
 * numbers) by tests/magics/gen_expr_cases.py.  Regenerate it with
 *     /usr/bin/python3 tests/magics/gen_expr_cases.py
 * Expressions use the variables made in make_vars (the generator's ENV).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "magics/expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *src;
    const char *repr;  /* NULL when an error is expected */
    const char *str;
    const char *json;
    const char *error; /* "Ename: message", or "Ename: *" for the name only */
} expr_cases[] = {
/* BEGIN GENERATED expr_cases (tests/magics/gen_expr_cases.py) */
    {"42", "42", "42", "42", NULL},
    {"-1.5e-3", "-0.0015", "-0.0015", "-0.0015", NULL},
    {"0x1F", "31", "31", "31", NULL},
    {"0X1f", "31", "31", "31", NULL},
    {"0o17", "15", "15", "15", NULL},
    {"0b1011", "11", "11", "11", NULL},
    {"1_000_000", "1000000", "1000000", "1000000", NULL},
    {"0x_ff", "255", "255", "255", NULL},
    {"1_0.5e1_0", "105000000000.0", "105000000000.0", "105000000000.0", NULL},
    {"1.", "1.0", "1.0", "1.0", NULL},
    {".5", "0.5", "0.5", "0.5", NULL},
    {"1e3", "1000.0", "1000.0", "1000.0", NULL},
    {"1E-3", "0.001", "0.001", "0.001", NULL},
    {"0", "0", "0", "0", NULL},
    {"00", "0", "0", "0", NULL},
    {"0.0", "0.0", "0.0", "0.0", NULL},
    {"-0.0", "-0.0", "-0.0", "-0.0", NULL},
    {"007.5", "7.5", "7.5", "7.5", NULL},
    {"0e0", "0.0", "0.0", "0.0", NULL},
    {"9223372036854775807", "9223372036854775807", "9223372036854775807", "9223372036854775807", NULL},
    {"-9223372036854775808", "-9223372036854775808", "-9223372036854775808", "-9223372036854775808", NULL},
    {"9223372036854775808", NULL, NULL, NULL, "OverflowError: *"},
    {"-9223372036854775809", NULL, NULL, NULL, "OverflowError: *"},
    {"18446744073709551616", NULL, NULL, NULL, "OverflowError: *"},
    {"99999999999999999999999999", NULL, NULL, NULL, "OverflowError: *"},
    {"0xffffffffffffffff", NULL, NULL, NULL, "OverflowError: *"},
    {"0x7fffffffffffffff", "9223372036854775807", "9223372036854775807", "9223372036854775807", NULL},
    {"1e400", "inf", "inf", "Infinity", NULL},
    {"-1e400", "-inf", "-inf", "-Infinity", NULL},
    {"1e-400", "0.0", "0.0", "0.0", NULL},
    {"\"text\"", "'text'", "text", "\"text\"", NULL},
    {"'text'", "'text'", "text", "\"text\"", NULL},
    {"\"it's\"", "\"it's\"", "it's", "\"it's\"", NULL},
    {"'say \"hi\"'", "'say \"hi\"'", "say \"hi\"", "\"say \\\"hi\\\"\"", NULL},
    {"'both \\' and \"'", "'both \\' and \"'", "both ' and \"", "\"both ' and \\\"\"", NULL},
    {"r'raw\\n'", "'raw\\\\n'", "raw\\n", "\"raw\\\\n\"", NULL},
    {"R\"raw\\t\"", "'raw\\\\t'", "raw\\t", "\"raw\\\\t\"", NULL},
    {"u'plain'", "'plain'", "plain", "\"plain\"", NULL},
    {"'a' \"b\" 'c'", "'abc'", "abc", "\"abc\"", NULL},
    {"'tab\\there'", "'tab\\there'", "tab\011here", "\"tab\\there\"", NULL},
    {"'nl\\nx'", "'nl\\nx'", "nl\012x", "\"nl\\nx\"", NULL},
    {"'cr\\rx'", "'cr\\rx'", "cr\015x", "\"cr\\rx\"", NULL},
    {"'\\\\'", "'\\\\'", "\\", "\"\\\\\"", NULL},
    {"'\\x00\\x01\\x1f\\x7f\\x80\\x9f'", "'\\x00\\x01\\x1f\\x7f\\x80\\x9f'", "\000\001\037\177\302\200\302\237", "\"\\u0000\\u0001\\u001f\177\302\200\302\237\"", NULL},
    {"'\\u00e9\\u4e2d\\U0001F600'", "'\303\251\344\270\255\360\237\230\200'", "\303\251\344\270\255\360\237\230\200", "\"\303\251\344\270\255\360\237\230\200\"", NULL},
    {"'\\101\\102\\0'", "'AB\\x00'", "AB\000", "\"AB\\u0000\"", NULL},
    {"'\\d unknown escape'", "'\\\\d unknown escape'", "\\d unknown escape", "\"\\\\d unknown escape\"", NULL},
    {"'h\\u00e9llo w\\u00f6rld'", "'h\303\251llo w\303\266rld'", "h\303\251llo w\303\266rld", "\"h\303\251llo w\303\266rld\"", NULL},
    {"'\\x41'", "'A'", "A", "\"A\"", NULL},
    {"'\\a\\b\\f\\v'", "'\\x07\\x08\\x0c\\x0b'", "\007\010\014\013", "\"\\u0007\\b\\f\\u000b\"", NULL},
    {"''", "''", "", "\"\"", NULL},
    {"True", "True", "True", "true", NULL},
    {"False", "False", "False", "false", NULL},
    {"None", "None", "None", "null", NULL},
    {"[1, 2]", "[1, 2]", "[1, 2]", "[1, 2]", NULL},
    {"[1, 2,]", "[1, 2]", "[1, 2]", "[1, 2]", NULL},
    {"[]", "[]", "[]", "[]", NULL},
    {"[[1, [2, [3]]], 'a', None, True, 1.5]", "[[1, [2, [3]]], 'a', None, True, 1.5]", "[[1, [2, [3]]], 'a', None, True, 1.5]", "[[1, [2, [3]]], \"a\", null, true, 1.5]", NULL},
    {"{\"a\": 1}", "{'a': 1}", "{'a': 1}", "{\"a\": 1}", NULL},
    {"{\"a\": 1, 2: [1, 2],}", "{'a': 1, 2: [1, 2]}", "{'a': 1, 2: [1, 2]}", "{\"a\": 1, \"2\": [1, 2]}", NULL},
    {"{}", "{}", "{}", "{}", NULL},
    {"{1: 'a', 1.0: 'b', True: 'c'}", "{1: 'c'}", "{1: 'c'}", "{\"1\": \"c\"}", NULL},
    {"{None: 1, 1.5: 2, False: 3, 'k': {'n': [1]}}", "{None: 1, 1.5: 2, False: 3, 'k': {'n': [1]}}", "{None: 1, 1.5: 2, False: 3, 'k': {'n': [1]}}", "{\"null\": 1, \"1.5\": 2, \"false\": 3, \"k\": {\"n\": [1]}}", NULL},
    {"{'a': 1, 'a': 2}", "{'a': 2}", "{'a': 2}", "{\"a\": 2}", NULL},
    {"(1 + 2)", "3", "3", "3", NULL},
    {"((((((1))))))", "1", "1", "1", NULL},
    {"6 * 7", "42", "42", "42", NULL},
    {"2 ** 10", "1024", "1024", "1024", NULL},
    {"2 ** -1", "0.5", "0.5", "0.5", NULL},
    {"-2 ** 2", "-4", "-4", "-4", NULL},
    {"(-2) ** 2", "4", "4", "4", NULL},
    {"2 ** 3 ** 2", "512", "512", "512", NULL},
    {"-2 ** -2", "-0.25", "-0.25", "-0.25", NULL},
    {"2 ** -2 ** 2", "0.0625", "0.0625", "0.0625", NULL},
    {"1 + 2 * 3 - 4 / 5", "6.2", "6.2", "6.2", NULL},
    {"7 // 2", "3", "3", "3", NULL},
    {"-7 // 2", "-4", "-4", "-4", NULL},
    {"7 // -2", "-4", "-4", "-4", NULL},
    {"-7 % 2", "1", "1", "1", NULL},
    {"7 % -2", "-1", "-1", "-1", NULL},
    {"-7 % -2", "-1", "-1", "-1", NULL},
    {"7.5 % -2", "-0.5", "-0.5", "-0.5", NULL},
    {"-7.5 % 2", "0.5", "0.5", "0.5", NULL},
    {"7.5 // -2", "-4.0", "-4.0", "-4.0", NULL},
    {"-0.0 // 1", "-0.0", "-0.0", "-0.0", NULL},
    {"0.0 % -1", "-0.0", "-0.0", "-0.0", NULL},
    {"1 / 3", "0.3333333333333333", "0.3333333333333333", "0.3333333333333333", NULL},
    {"10 / 2", "5.0", "5.0", "5.0", NULL},
    {"-9223372036854775807 / 3", "-3.0744573456182584e+18", "-3.0744573456182584e+18", "-3.0744573456182584e+18", NULL},
    {"9223372036854775807 / 9223372036854775806", "1.0", "1.0", "1.0", NULL},
    {"9007199254740993 / 1", "9007199254740992.0", "9007199254740992.0", "9007199254740992.0", NULL},
    {"9223372036854775807 / 1", "9.223372036854776e+18", "9.223372036854776e+18", "9.223372036854776e+18", NULL},
    {"-9223372036854775808 / -1", "9.223372036854776e+18", "9.223372036854776e+18", "9.223372036854776e+18", NULL},
    {"0 / -5", "-0.0", "-0.0", "-0.0", NULL},
    {"1 / 0", NULL, NULL, NULL, "ZeroDivisionError: division by zero"},
    {"1 // 0", NULL, NULL, NULL, "ZeroDivisionError: integer division or modulo by zero"},
    {"1 % 0", NULL, NULL, NULL, "ZeroDivisionError: integer modulo by zero"},
    {"1.0 / 0", NULL, NULL, NULL, "ZeroDivisionError: float division by zero"},
    {"1 / 0.0", NULL, NULL, NULL, "ZeroDivisionError: float division by zero"},
    {"1.0 // 0", NULL, NULL, NULL, "ZeroDivisionError: float floor division by zero"},
    {"1.0 % 0", NULL, NULL, NULL, "ZeroDivisionError: float modulo"},
    {"0 ** -1", NULL, NULL, NULL, "ZeroDivisionError: 0.0 cannot be raised to a negative power"},
    {"0.0 ** -1", NULL, NULL, NULL, "ZeroDivisionError: 0.0 cannot be raised to a negative power"},
    {"0 ** 0", "1", "1", "1", NULL},
    {"0.0 ** 0", "1.0", "1.0", "1.0", NULL},
    {"(-8) ** (1/3)", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"(-2.5) ** 3", "-15.625", "-15.625", "-15.625", NULL},
    {"(-1) ** 4611686018427387904", "1", "1", "1", NULL},
    {"(-1) ** 4611686018427387905", "-1", "-1", "-1", NULL},
    {"1 ** 9223372036854775807", "1", "1", "1", NULL},
    {"2 ** 62", "4611686018427387904", "4611686018427387904", "4611686018427387904", NULL},
    {"2 ** 63", NULL, NULL, NULL, "OverflowError: *"},
    {"(-2) ** 63", "-9223372036854775808", "-9223372036854775808", "-9223372036854775808", NULL},
    {"(-2) ** 64", NULL, NULL, NULL, "OverflowError: *"},
    {"3 ** 40", NULL, NULL, NULL, "OverflowError: *"},
    {"10.0 ** 400", NULL, NULL, NULL, "OverflowError: (34, 'Numerical result out of range')"},
    {"10.0 ** -400", "0.0", "0.0", "0.0", NULL},
    {"2.0 ** 0.5", "1.4142135623730951", "1.4142135623730951", "1.4142135623730951", NULL},
    {"float('inf') ** 0", "1.0", "1.0", "1.0", NULL},
    {"float('nan') ** 0", "1.0", "1.0", "1.0", NULL},
    {"1 ** float('nan')", "1.0", "1.0", "1.0", NULL},
    {"float('inf') - float('inf')", "nan", "nan", "NaN", NULL},
    {"float('inf') * 0", "nan", "nan", "NaN", NULL},
    {"float('nan') + 1", "nan", "nan", "NaN", NULL},
    {"9223372036854775807 + 1", NULL, NULL, NULL, "OverflowError: *"},
    {"-9223372036854775808 - 1", NULL, NULL, NULL, "OverflowError: *"},
    {"9223372036854775807 * 2", NULL, NULL, NULL, "OverflowError: *"},
    {"-9223372036854775808 // -1", NULL, NULL, NULL, "OverflowError: *"},
    {"-9223372036854775808 % -1", "0", "0", "0", NULL},
    {"-(-9223372036854775808)", NULL, NULL, NULL, "OverflowError: *"},
    {"-neg", NULL, NULL, NULL, "OverflowError: *"},
    {"big + 1", NULL, NULL, NULL, "OverflowError: *"},
    {"neg - 1", NULL, NULL, NULL, "OverflowError: *"},
    {"big * -1", "-9223372036854775807", "-9223372036854775807", "-9223372036854775807", NULL},
    {"neg // 1", "-9223372036854775808", "-9223372036854775808", "-9223372036854775808", NULL},
    {"True + True", "2", "2", "2", NULL},
    {"True * 3.5", "3.5", "3.5", "3.5", NULL},
    {"True / 2", "0.5", "0.5", "0.5", NULL},
    {"False ** 0", "1", "1", "1", NULL},
    {"-True", "-1", "-1", "-1", NULL},
    {"+True", "1", "1", "1", NULL},
    {"1 + 1.5", "2.5", "2.5", "2.5", NULL},
    {"3 * 0.1", "0.30000000000000004", "0.30000000000000004", "0.30000000000000004", NULL},
    {"'a' + 'b'", "'ab'", "ab", "\"ab\"", NULL},
    {"'ab' * 3", "'ababab'", "ababab", "\"ababab\"", NULL},
    {"3 * 'ab'", "'ababab'", "ababab", "\"ababab\"", NULL},
    {"'ab' * 0", "''", "", "\"\"", NULL},
    {"'ab' * -1", "''", "", "\"\"", NULL},
    {"'ab' * True", "'ab'", "ab", "\"ab\"", NULL},
    {"[1] * 3", "[1, 1, 1]", "[1, 1, 1]", "[1, 1, 1]", NULL},
    {"3 * [1, 2]", "[1, 2, 1, 2, 1, 2]", "[1, 2, 1, 2, 1, 2]", "[1, 2, 1, 2, 1, 2]", NULL},
    {"[1, 2] + [3]", "[1, 2, 3]", "[1, 2, 3]", "[1, 2, 3]", NULL},
    {"[1] * -1", "[]", "[]", "[]", NULL},
    {"[] * 5", "[]", "[]", "[]", NULL},
    {"[[1]] * 2", "[[1], [1]]", "[[1], [1]]", "[[1], [1]]", NULL},
    {"'a' + 1", NULL, NULL, NULL, "TypeError: can only concatenate str (not \"int\") to str"},
    {"1 + 'a'", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for +: 'int' and 'str'"},
    {"[1] + 1", NULL, NULL, NULL, "TypeError: can only concatenate list (not \"int\") to list"},
    {"[1] + 'a'", NULL, NULL, NULL, "TypeError: can only concatenate list (not \"str\") to list"},
    {"'a' * 'b'", NULL, NULL, NULL, "TypeError: can't multiply sequence by non-int of type 'str'"},
    {"'a' * 1.5", NULL, NULL, NULL, "TypeError: can't multiply sequence by non-int of type 'float'"},
    {"1.5 * 'a'", NULL, NULL, NULL, "TypeError: can't multiply sequence by non-int of type 'float'"},
    {"[1] * [2]", NULL, NULL, NULL, "TypeError: can't multiply sequence by non-int of type 'list'"},
    {"None * 'a'", NULL, NULL, NULL, "TypeError: can't multiply sequence by non-int of type 'NoneType'"},
    {"'a' * {}", NULL, NULL, NULL, "TypeError: can't multiply sequence by non-int of type 'dict'"},
    {"{} * 2", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for *: 'dict' and 'int'"},
    {"{} + {}", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for +: 'dict' and 'dict'"},
    {"'a' - 'b'", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for -: 'str' and 'str'"},
    {"'a' ** 2", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for ** or pow(): 'str' and 'int'"},
    {"'a' / 2", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for /: 'str' and 'int'"},
    {"None + 1", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'"},
    {"[1] // 2", NULL, NULL, NULL, "TypeError: unsupported operand type(s) for //: 'list' and 'int'"},
    {"-'a'", NULL, NULL, NULL, "TypeError: bad operand type for unary -: 'str'"},
    {"+[1]", NULL, NULL, NULL, "TypeError: bad operand type for unary +: 'list'"},
    {"-None", NULL, NULL, NULL, "TypeError: bad operand type for unary -: 'NoneType'"},
    {"-{}", NULL, NULL, NULL, "TypeError: bad operand type for unary -: 'dict'"},
    {"l[0]", "1", "1", "1", NULL},
    {"l[-1]", "3", "3", "3", NULL},
    {"l[2]", "3", "3", "3", NULL},
    {"l[3]", NULL, NULL, NULL, "IndexError: list index out of range"},
    {"l[-4]", NULL, NULL, NULL, "IndexError: list index out of range"},
    {"l[True]", "2", "2", "2", NULL},
    {"l[1.0]", NULL, NULL, NULL, "TypeError: list indices must be integers or slices, not float"},
    {"l['a']", NULL, NULL, NULL, "TypeError: list indices must be integers or slices, not str"},
    {"s[1]", "'\303\251'", "\303\251", "\"\303\251\"", NULL},
    {"s[-1]", "'o'", "o", "\"o\"", NULL},
    {"s[5]", NULL, NULL, NULL, "IndexError: string index out of range"},
    {"s['a']", NULL, NULL, NULL, "TypeError: string indices must be integers, not 'str'"},
    {"d['a']", "1", "1", "1", NULL},
    {"d['b'][1]", "2", "2", "2", NULL},
    {"d['missing']", NULL, NULL, NULL, "KeyError: 'missing'"},
    {"d[1]", NULL, NULL, NULL, "KeyError: 1"},
    {"d[[1]]", NULL, NULL, NULL, "TypeError: unhashable type: 'list'"},
    {"d[None]", NULL, NULL, NULL, "KeyError: None"},
    {"x[0]", NULL, NULL, NULL, "TypeError: 'int' object is not subscriptable"},
    {"y[0]", NULL, NULL, NULL, "TypeError: 'float' object is not subscriptable"},
    {"n[0]", NULL, NULL, NULL, "TypeError: 'NoneType' object is not subscriptable"},
    {"[1, 2, 3][1]", "2", "2", "2", NULL},
    {"'abc'[0]", "'a'", "a", "\"a\"", NULL},
    {"{'a': [1, {'b': 2}]}['a'][1]['b']", "2", "2", "2", NULL},
    {"[[1, 2], [3, 4]][1][0]", "3", "3", "3", NULL},
    {"x", "5", "5", "5", NULL},
    {"y", "2.5", "2.5", "2.5", NULL},
    {"s", "'h\303\251llo'", "h\303\251llo", "\"h\303\251llo\"", NULL},
    {"l", "[1, 2, 3]", "[1, 2, 3]", "[1, 2, 3]", NULL},
    {"d", "{'a': 1, 'b': [1, 2]}", "{'a': 1, 'b': [1, 2]}", "{\"a\": 1, \"b\": [1, 2]}", NULL},
    {"t", "True", "True", "true", NULL},
    {"n", "None", "None", "null", NULL},
    {"undefined_name", NULL, NULL, NULL, "NameError: name 'undefined_name' is not defined"},
    {"x + y", "7.5", "7.5", "7.5", NULL},
    {"x * s", "'h\303\251lloh\303\251lloh\303\251lloh\303\251lloh\303\251llo'", "h\303\251lloh\303\251lloh\303\251lloh\303\251lloh\303\251llo", "\"h\303\251lloh\303\251lloh\303\251lloh\303\251lloh\303\251llo\"", NULL},
    {"s + s", "'h\303\251lloh\303\251llo'", "h\303\251lloh\303\251llo", "\"h\303\251lloh\303\251llo\"", NULL},
    {"l + l", "[1, 2, 3, 1, 2, 3]", "[1, 2, 3, 1, 2, 3]", "[1, 2, 3, 1, 2, 3]", NULL},
    {"x(1)", NULL, NULL, NULL, "TypeError: 'int' object is not callable"},
    {"foo(1)", NULL, NULL, NULL, "NameError: name 'foo' is not defined"},
    {"len", NULL, NULL, NULL, "TypeError: len is a builtin function: call it, as in len(...)"},
    {"float", NULL, NULL, NULL, "TypeError: float is a builtin function: call it, as in float(...)"},
    {"float()", "0.0", "0.0", "0.0", NULL},
    {"float(1)", "1.0", "1.0", "1.0", NULL},
    {"float(True)", "1.0", "1.0", "1.0", NULL},
    {"float(2.5)", "2.5", "2.5", "2.5", NULL},
    {"float('1.5')", "1.5", "1.5", "1.5", NULL},
    {"float(' 1.5 ')", "1.5", "1.5", "1.5", NULL},
    {"float('\\t-2.5e3\\n')", "-2500.0", "-2500.0", "-2500.0", NULL},
    {"float('1_000.5')", "1000.5", "1000.5", "1000.5", NULL},
    {"float('nan')", "nan", "nan", "NaN", NULL},
    {"float('-nan')", "nan", "nan", "NaN", NULL},
    {"float('inf')", "inf", "inf", "Infinity", NULL},
    {"float('-inf')", "-inf", "-inf", "-Infinity", NULL},
    {"float('+Infinity')", "inf", "inf", "Infinity", NULL},
    {"float('iNF')", "inf", "inf", "Infinity", NULL},
    {"float('.5')", "0.5", "0.5", "0.5", NULL},
    {"float('5.')", "5.0", "5.0", "5.0", NULL},
    {"float('1e500')", "inf", "inf", "Infinity", NULL},
    {"float('abc')", NULL, NULL, NULL, "ValueError: could not convert string to float: 'abc'"},
    /* A huge argument is quoted by its first 256 bytes (fuzzer: 240 MB). */
    {"float('n' * 2 ** 26)", NULL, NULL, NULL, "ValueError: could not convert string to float: 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn'..."},
    {"{}['k' * 300]", NULL, NULL, NULL, "KeyError: 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'..."},
    {"float('')", NULL, NULL, NULL, "ValueError: could not convert string to float: ''"},
    {"float(' ')", NULL, NULL, NULL, "ValueError: could not convert string to float: ' '"},
    {"float('1_')", NULL, NULL, NULL, "ValueError: could not convert string to float: '1_'"},
    {"float('_1')", NULL, NULL, NULL, "ValueError: could not convert string to float: '_1'"},
    {"float('1__0')", NULL, NULL, NULL, "ValueError: could not convert string to float: '1__0'"},
    {"float('0x10')", NULL, NULL, NULL, "ValueError: could not convert string to float: '0x10'"},
    {"float('1.5.5')", NULL, NULL, NULL, "ValueError: could not convert string to float: '1.5.5'"},
    {"float('e5')", NULL, NULL, NULL, "ValueError: could not convert string to float: 'e5'"},
    {"float([1])", NULL, NULL, NULL, "TypeError: float() argument must be a string or a real number, not 'list'"},
    {"float(None)", NULL, NULL, NULL, "TypeError: float() argument must be a string or a real number, not 'NoneType'"},
    {"float(1, 2)", NULL, NULL, NULL, "TypeError: float expected at most 1 argument, got 2"},
    {"int()", "0", "0", "0", NULL},
    {"int(42)", "42", "42", "42", NULL},
    {"int(True)", "1", "1", "1", NULL},
    {"int(3.9)", "3", "3", "3", NULL},
    {"int(-3.9)", "-3", "-3", "-3", NULL},
    {"int(1e18)", "1000000000000000000", "1000000000000000000", "1000000000000000000", NULL},
    {"int(1e19)", NULL, NULL, NULL, "OverflowError: *"},
    {"int(-9.3e18)", NULL, NULL, NULL, "OverflowError: *"},
    {"int(float('nan'))", NULL, NULL, NULL, "ValueError: cannot convert float NaN to integer"},
    {"int(float('inf'))", NULL, NULL, NULL, "OverflowError: cannot convert float infinity to integer"},
    {"int('42')", "42", "42", "42", NULL},
    {"int('  -42  ')", "-42", "-42", "-42", NULL},
    {"float('\\u2028 1.5\\u3000\\x85')", "1.5", "1.5", "1.5", NULL},
    {"int('\\u00a07\\u2009')", "7", "7", "7", NULL},
    {"float('1.5\\u00e9')", NULL, NULL, NULL, "ValueError: could not convert string to float: '1.5\303\251'"},
    {"float('\\u00e91.5 ')", NULL, NULL, NULL, "ValueError: could not convert string to float: '\303\2511.5 '"},
    {"int('+7')", "7", "7", "7", NULL},
    {"int('1_000')", "1000", "1000", "1000", NULL},
    {"int('007')", "7", "7", "7", NULL},
    {"int('4.5')", NULL, NULL, NULL, "ValueError: invalid literal for int() with base 10: '4.5'"},
    {"int('abc')", NULL, NULL, NULL, "ValueError: invalid literal for int() with base 10: 'abc'"},
    {"int('')", NULL, NULL, NULL, "ValueError: invalid literal for int() with base 10: ''"},
    {"int('0x1f')", NULL, NULL, NULL, "ValueError: invalid literal for int() with base 10: '0x1f'"},
    {"int('0x1f', 16)", "31", "31", "31", NULL},
    {"int('1f', 16)", "31", "31", "31", NULL},
    {"int('0x1f', 0)", "31", "31", "31", NULL},
    {"int('0o17', 0)", "15", "15", "15", NULL},
    {"int('0b101', 0)", "5", "5", "5", NULL},
    {"int('010', 0)", NULL, NULL, NULL, "ValueError: invalid literal for int() with base 0: '010'"},
    {"int('000', 0)", "0", "0", "0", NULL},
    {"int('z', 36)", "35", "35", "35", NULL},
    {"int('9223372036854775807')", "9223372036854775807", "9223372036854775807", "9223372036854775807", NULL},
    {"int('-9223372036854775808')", "-9223372036854775808", "-9223372036854775808", "-9223372036854775808", NULL},
    {"int('9223372036854775808')", NULL, NULL, NULL, "OverflowError: *"},
    {"int('1', 1)", NULL, NULL, NULL, "ValueError: int() base must be >= 2 and <= 36, or 0"},
    {"int('1', 37)", NULL, NULL, NULL, "ValueError: int() base must be >= 2 and <= 36, or 0"},
    {"int(1.5, 10)", NULL, NULL, NULL, "TypeError: int() can't convert non-string with explicit base"},
    {"int('1', 1.5)", NULL, NULL, NULL, "TypeError: 'float' object cannot be interpreted as an integer"},
    {"int(None)", NULL, NULL, NULL, "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"},
    {"int([1])", NULL, NULL, NULL, "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'list'"},
    {"int(1, 2, 3)", NULL, NULL, NULL, "TypeError: int() takes at most 2 arguments (3 given)"},
    {"str()", "''", "", "\"\"", NULL},
    {"str(1)", "'1'", "1", "\"1\"", NULL},
    {"str(1.5)", "'1.5'", "1.5", "\"1.5\"", NULL},
    {"str(1e16)", "'1e+16'", "1e+16", "\"1e+16\"", NULL},
    {"str('a')", "'a'", "a", "\"a\"", NULL},
    {"str([1, 'a'])", "\"[1, 'a']\"", "[1, 'a']", "\"[1, 'a']\"", NULL},
    {"str({'k': 'v'})", "\"{'k': 'v'}\"", "{'k': 'v'}", "\"{'k': 'v'}\"", NULL},
    {"str(None)", "'None'", "None", "\"None\"", NULL},
    {"str(True)", "'True'", "True", "\"True\"", NULL},
    {"bool()", "False", "False", "false", NULL},
    {"bool(0)", "False", "False", "false", NULL},
    {"bool(1)", "True", "True", "true", NULL},
    {"bool(0.0)", "False", "False", "false", NULL},
    {"bool(float('nan'))", "True", "True", "true", NULL},
    {"bool('')", "False", "False", "false", NULL},
    {"bool('a')", "True", "True", "true", NULL},
    {"bool([])", "False", "False", "false", NULL},
    {"bool([0])", "True", "True", "true", NULL},
    {"bool({})", "False", "False", "false", NULL},
    {"bool(None)", "False", "False", "false", NULL},
    {"bool(1, 2)", NULL, NULL, NULL, "TypeError: bool expected at most 1 argument, got 2"},
    {"len('abc')", "3", "3", "3", NULL},
    {"len(s)", "5", "5", "5", NULL},
    {"len('')", "0", "0", "0", NULL},
    {"len([1, 2])", "2", "2", "2", NULL},
    {"len({'a': 1})", "1", "1", "1", NULL},
    {"len(5)", NULL, NULL, NULL, "TypeError: object of type 'int' has no len()"},
    {"len(None)", NULL, NULL, NULL, "TypeError: object of type 'NoneType' has no len()"},
    {"len()", NULL, NULL, NULL, "TypeError: len() takes exactly one argument (0 given)"},
    {"len('a', 'b')", NULL, NULL, NULL, "TypeError: len() takes exactly one argument (2 given)"},
    {"abs(-3)", "3", "3", "3", NULL},
    {"abs(3)", "3", "3", "3", NULL},
    {"abs(-2.5)", "2.5", "2.5", "2.5", NULL},
    {"abs(-0.0)", "0.0", "0.0", "0.0", NULL},
    {"abs(True)", "1", "1", "1", NULL},
    {"abs(-9223372036854775807)", "9223372036854775807", "9223372036854775807", "9223372036854775807", NULL},
    {"abs(neg)", NULL, NULL, NULL, "OverflowError: *"},
    {"abs('a')", NULL, NULL, NULL, "TypeError: bad operand type for abs(): 'str'"},
    {"abs()", NULL, NULL, NULL, "TypeError: abs() takes exactly one argument (0 given)"},
    {"abs(1, 2)", NULL, NULL, NULL, "TypeError: abs() takes exactly one argument (2 given)"},
    {"min(3, 1, 2)", "1", "1", "1", NULL},
    {"max(3, 1, 2)", "3", "3", "3", NULL},
    {"min([3, 1, 2])", "1", "1", "1", NULL},
    {"max([3, 1, 2])", "3", "3", "3", NULL},
    {"min('hello')", "'e'", "e", "\"e\"", NULL},
    {"max('hello')", "'o'", "o", "\"o\"", NULL},
    {"max(s)", "'\303\251'", "\303\251", "\"\303\251\"", NULL},
    {"min({'b': 1, 'a': 2})", "'a'", "a", "\"a\"", NULL},
    {"min(1, 2.5)", "1", "1", "1", NULL},
    {"max(1, 2.5, True)", "2.5", "2.5", "2.5", NULL},
    {"min(1, 1.0)", "1", "1", "1", NULL},
    {"max(1.0, 1)", "1.0", "1.0", "1.0", NULL},
    {"min(float('nan'), 1)", "nan", "nan", "NaN", NULL},
    {"min(1, float('nan'))", "1", "1", "1", NULL},
    {"max([1, 2], [1, 3])", "[1, 3]", "[1, 3]", "[1, 3]", NULL},
    {"min([1, 2], [1])", "[1]", "[1]", "[1]", NULL},
    {"min('b', 'a', 'c')", "'a'", "a", "\"a\"", NULL},
    {"min(9007199254740993, 9007199254740992.0)", "9007199254740992.0", "9007199254740992.0", "9007199254740992.0", NULL},
    {"max(9007199254740993, 9007199254740992.0)", "9007199254740993", "9007199254740993", "9007199254740993", NULL},
    {"min()", NULL, NULL, NULL, "TypeError: min expected at least 1 argument, got 0"},
    {"min([])", NULL, NULL, NULL, "ValueError: min() arg is an empty sequence"},
    {"max('')", NULL, NULL, NULL, "ValueError: max() arg is an empty sequence"},
    {"min(5)", NULL, NULL, NULL, "TypeError: 'int' object is not iterable"},
    {"min(1, 'a')", NULL, NULL, NULL, "TypeError: '<' not supported between instances of 'str' and 'int'"},
    {"max(1, 'a')", NULL, NULL, NULL, "TypeError: '>' not supported between instances of 'str' and 'int'"},
    {"max([1, 2], ['a'])", NULL, NULL, NULL, "TypeError: '>' not supported between instances of 'str' and 'int'"},
    {"min(None, None)", NULL, NULL, NULL, "TypeError: '<' not supported between instances of 'NoneType' and 'NoneType'"},
    {"round(2.5)", "2", "2", "2", NULL},
    {"round(3.5)", "4", "4", "4", NULL},
    {"round(-2.5)", "-2", "-2", "-2", NULL},
    {"round(0.5)", "0", "0", "0", NULL},
    {"round(-0.5)", "0", "0", "0", NULL},
    {"round(1.4999999999999999)", "2", "2", "2", NULL},
    {"round(2.675, 2)", "2.67", "2.67", "2.67", NULL},
    {"round(1.005, 2)", "1.0", "1.0", "1.0", NULL},
    {"round(0.125, 2)", "0.12", "0.12", "0.12", NULL},
    {"round(0.375, 2)", "0.38", "0.38", "0.38", NULL},
    {"round(-1.5, 0)", "-2.0", "-2.0", "-2.0", NULL},
    {"round(-0.4, 0)", "-0.0", "-0.0", "-0.0", NULL},
    {"round(1234.5678, -2)", "1200.0", "1200.0", "1200.0", NULL},
    {"round(1250.0, -2)", "1200.0", "1200.0", "1200.0", NULL},
    {"round(1350.0, -2)", "1400.0", "1400.0", "1400.0", NULL},
    {"round(-1250.0, -2)", "-1200.0", "-1200.0", "-1200.0", NULL},
    {"round(5.0, -1)", "0.0", "0.0", "0.0", NULL},
    {"round(15.0, -1)", "20.0", "20.0", "20.0", NULL},
    {"round(50.0, -2)", "0.0", "0.0", "0.0", NULL},
    {"round(51.0, -2)", "100.0", "100.0", "100.0", NULL},
    {"round(150.0, -2)", "200.0", "200.0", "200.0", NULL},
    {"round(-5.0, -2)", "-0.0", "-0.0", "-0.0", NULL},
    {"round(1e300, -300)", "1e+300", "1e+300", "1e+300", NULL},
    {"round(1.7976931348623157e308, -308)", NULL, NULL, NULL, "OverflowError: rounded value too large to represent"},
    {"round(1e-300, 300)", "1e-300", "1e-300", "1e-300", NULL},
    {"round(1.5, 400)", "1.5", "1.5", "1.5", NULL},
    {"round(1.5, -400)", "0.0", "0.0", "0.0", NULL},
    {"round(123.456, 1)", "123.5", "123.5", "123.5", NULL},
    {"round(123.456, None)", "123", "123", "123", NULL},
    {"round(1e20)", NULL, NULL, NULL, "OverflowError: *"},
    {"round(float('nan'))", NULL, NULL, NULL, "ValueError: cannot convert float NaN to integer"},
    {"round(float('inf'))", NULL, NULL, NULL, "OverflowError: cannot convert float infinity to integer"},
    {"round(float('nan'), 2)", "nan", "nan", "NaN", NULL},
    {"round(float('inf'), 2)", "inf", "inf", "Infinity", NULL},
    {"round(5)", "5", "5", "5", NULL},
    {"round(5, 2)", "5", "5", "5", NULL},
    {"round(15, -1)", "20", "20", "20", NULL},
    {"round(25, -1)", "20", "20", "20", NULL},
    {"round(-15, -1)", "-20", "-20", "-20", NULL},
    {"round(-25, -1)", "-20", "-20", "-20", NULL},
    {"round(1234, -2)", "1200", "1200", "1200", NULL},
    {"round(1250, -2)", "1200", "1200", "1200", NULL},
    {"round(9223372036854775807, -1)", NULL, NULL, NULL, "OverflowError: *"},
    {"round(9223372036854775807, -18)", "9000000000000000000", "9000000000000000000", "9000000000000000000", NULL},
    {"round(9223372036854775807, -19)", NULL, NULL, NULL, "OverflowError: *"},
    {"round(4999999999999999999, -19)", "0", "0", "0", NULL},
    {"round(-5000000000000000000, -19)", "0", "0", "0", NULL},
    {"round(123, -20)", "0", "0", "0", NULL},
    {"round(True)", "1", "1", "1", NULL},
    {"round(True, -1)", "0", "0", "0", NULL},
    {"round(2.5, True)", "2.5", "2.5", "2.5", NULL},
    {"round('a')", NULL, NULL, NULL, "TypeError: type str doesn't define __round__ method"},
    {"round(1.5, 'a')", NULL, NULL, NULL, "TypeError: 'str' object cannot be interpreted as an integer"},
    {"round(1.5, 1.0)", NULL, NULL, NULL, "TypeError: 'float' object cannot be interpreted as an integer"},
    {"round()", NULL, NULL, NULL, "TypeError: round() missing required argument 'number' (pos 1)"},
    {"round(1, 2, 3)", NULL, NULL, NULL, "TypeError: round() takes at most 2 arguments (3 given)"},
    {"str(round(2.5)) + 'x'", "'2x'", "2x", "\"2x\"", NULL},
    {"float('1.5') * int('2') + len('abc')", "6.0", "6.0", "6.0", NULL},
    {"max(min(3, 4), abs(-2))", "3", "3", "3", NULL},
    {"\"\"\"a\012b\"\"\"", "'a\\nb'", "a\012b", "\"a\\nb\"", NULL},
    {"'''x'y\"z'''", "'x\\'y\"z'", "x'y\"z", "\"x'y\\\"z\"", NULL},
    {"'''multi\012line\011text'''", "'multi\\nline\\ttext'", "multi\012line\011text", "\"multi\\nline\\ttext\"", NULL},
    {"(3) * (93.91064)", "281.73192", "281.73192", "281.73192", NULL},
    {"5 // 48.257144", "0.0", "0.0", "0.0", NULL},
    {"-8.7848 / 3037000499", "-2.8925908977929346e-09", "-2.8925908977929346e-09", "-2.8925908977929346e-09", NULL},
    {"((20) // (-0)) // ((9.368242) / (1e+300))", NULL, NULL, NULL, "ZeroDivisionError: integer division or modulo by zero"},
    {"(-11) + (474359.58)", "474348.58", "474348.58", "474348.58", NULL},
    {"(79144.34585 ** 2.0) ** (3)", "2.457646204442357e+29", "2.457646204442357e+29", "2.457646204442357e+29", NULL},
    {"(987990 * -1e+16 // False) ** (-1.5)", NULL, NULL, NULL, "ZeroDivisionError: float floor division by zero"},
    {"-180596", "-180596", "-180596", "-180596", NULL},
    {"-41081.3683225 - 9404739.1", "-9445820.468322499", "-9445820.468322499", "-9445820.468322499", NULL},
    {"0.0048", "0.0048", "0.0048", "0.0048", NULL},
    {"-1000000000000000000 - -627133 - 5e-324 + -11 * (234514) ** (0.5)", "-9.999999999993783e+17", "-9.999999999993783e+17", "-9.999999999993783e+17", NULL},
    {"(-3037000499) / (-False)", NULL, NULL, NULL, "ZeroDivisionError: division by zero"},
    {"(729.0 // -423791) ** (2.0) + 0.0", "1.0", "1.0", "1.0", NULL},
    {"12", "12", "12", "12", NULL},
    {"94785 * 13", "1232205", "1232205", "1232205", NULL},
    {"487997", "487997", "487997", "487997", NULL},
    {"-9", "-9", "-9", "-9", NULL},
    {"(11) ** (-1.5)", "0.02741012223434215", "0.02741012223434215", "0.02741012223434215", NULL},
    {"(-0.5) ** (2.0)", "0.25", "0.25", "0.25", NULL},
    {"5372150.01724782", "5372150.01724782", "5372150.01724782", "5372150.01724782", NULL},
    {"(16) - ((4) - (-9817886.43))", "-9817874.43", "-9817874.43", "-9817874.43", NULL},
    {"-8 // 14 + 24205 // (-14 - 1e-300) - (8 * 19)", "-1882.0", "-1882.0", "-1882.0", NULL},
    {"(-16) - (-1e+300) ** 2.0 % True / -0.0003 ** -1.5", NULL, NULL, NULL, "OverflowError: (34, 'Numerical result out of range')"},
    {"34041.23 / -2", "-17020.615", "-17020.615", "-17020.615", NULL},
    {"4.8862", "4.8862", "4.8862", "4.8862", NULL},
    {"8 + 1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", NULL},
    {"-10", "-10", "-10", "-10", NULL},
    {"-4 / 3", "-1.3333333333333333", "-1.3333333333333333", "-1.3333333333333333", NULL},
    {"(3) + (6121054.795742) + 1e+16", "1.0000000006121058e+16", "1.0000000006121058e+16", "1.0000000006121058e+16", NULL},
    {"(((20) ** (3)) % (9223372036854775807)) + (0.5929 - -104231 // 4611686018427387904 // 17)", "8001.5929", "8001.5929", "8001.5929", NULL},
    {"5e-324 * ((-999444) + (-9007199254740992)) + ((-4009.0) * (5))", "-20045.0", "-20045.0", "-20045.0", NULL},
    {"False", "False", "False", "false", NULL},
    {"(-False) ** (2.0) - (846452) ** (39)", NULL, NULL, NULL, "OverflowError: *"},
    {"562948", "562948", "562948", "562948", NULL},
    {"-6", "-6", "-6", "-6", NULL},
    {"829507", "829507", "829507", "829507", NULL},
    {"(-0.1) / (0.00067369) - -3037000500 * (953300 % False) ** (-1.5)", NULL, NULL, NULL, "ZeroDivisionError: integer modulo by zero"},
    {"37880.4024159 / 1", "37880.4024159", "37880.4024159", "37880.4024159", NULL},
    {"4294967296", "4294967296", "4294967296", "4294967296", NULL},
    {"(-974.76) % (12) - (9884.525402) * (3) * 0.70202278", "-20808.24600507797", "-20808.24600507797", "-20808.24600507797", NULL},
    {"3.005443 ** 20 // -0.5 / 79144", "-91365.43246487416", "-91365.43246487416", "-91365.43246487416", NULL},
    {"False", "False", "False", "false", NULL},
    {"-41.50400581", "-41.50400581", "-41.50400581", "-41.50400581", NULL},
    {"((531856.86896) // (845644)) / (-5e-324 - 9223372036854775807)", "-0.0", "-0.0", "-0.0", NULL},
    {"(-False) / (342.4103752)", "0.0", "0.0", "0.0", NULL},
    {"11", "11", "11", "11", NULL},
    {"((-14) + (9)) % (463483.923763 + 86020.8205793)", "549499.7443423", "549499.7443423", "549499.7443423", NULL},
    {"950147 ** 46", NULL, NULL, NULL, "OverflowError: *"},
    {"-546.48 ** -1.5 / 5 * 211547", "-3.311886600420921", "-3.311886600420921", "-3.311886600420921", NULL},
    {"(716593) ** (38) ** 2.0", NULL, NULL, NULL, "OverflowError: (34, 'Numerical result out of range')"},
    {"-3", "-3", "-3", "-3", NULL},
    {"(815779) % (-12)", "-5", "-5", "-5", NULL},
    {"((1e+300) * (-612410.84111564)) % (4294967296)", "0.0", "0.0", "0.0", NULL},
    {"-525735.39 % 7 ** 0.5", "1.8530216448072405", "1.8530216448072405", "1.8530216448072405", NULL},
    {"1e+16", "1e+16", "1e+16", "1e+16", NULL},
    {"(565578) ** (2.0)", "319878474084.0", "319878474084.0", "319878474084.0", NULL},
    {"-1 // 19.0 - -True", "0.0", "0.0", "0.0", NULL},
    {"-565494.9 + 0.0981316", "-565494.8018684001", "-565494.8018684001", "-565494.8018684001", NULL},
    {"3 + -563917 + 1e+300 // (659561) // (0.00576991)", "2.6277012834982153e+296", "2.6277012834982153e+296", "2.6277012834982153e+296", NULL},
    {"(0.000275) % (8.92958044) ** 3", "0.000275", "0.000275", "0.000275", NULL},
    {"(1) // (9007199254740992) * 4294967296 * 377723", "0", "0", "0", NULL},
    {"(((3) ** (1)) ** (0.5)) % (7 - 792.839)", "-784.1069491924312", "-784.1069491924312", "-784.1069491924312", NULL},
    {"((469323.779) / (-20)) * ((-0.5) / (860825))", "0.013630057764353961", "0.013630057764353961", "0.013630057764353961", NULL},
    {"9 ** 2.0", "81.0", "81.0", "81.0", NULL},
    {"-0 % (1) ** (67)", "0", "0", "0", NULL},
    {"(((12) % (-281229)) // (12)) % ((False) % (-17) / (7010.1353185) // (0))", NULL, NULL, NULL, "ZeroDivisionError: float floor division by zero"},
    {"((86129.9044816) / (5.0811) % False % 15) // ((-15) / ((-1.7976931348623157e+308) // (-5437.0616259)))", NULL, NULL, NULL, "ZeroDivisionError: float modulo"},
    {"2119555.798 - 6", "2119549.798", "2119549.798", "2119549.798", NULL},
    {"8366.8925 % -3037000499", "-3036992132.1075", "-3036992132.1075", "-3036992132.1075", NULL},
    {"-True", "-1", "-1", "-1", NULL},
    {"True", "True", "True", "true", NULL},
    {"(((2) % (1.7976931348623157e+308)) / (687987 ** 2.0)) // ((-1e-300 % 3037000500) - (121219))", "0.0", "0.0", "0.0", NULL},
    {"(4) % (663434.1074) % (-836.87331863) - (-1) * -2147483648", "-2147484480.8733187", "-2147484480.8733187", "-2147484480.8733187", NULL},
    {"609488 / 0", NULL, NULL, NULL, "ZeroDivisionError: division by zero"},
    {"8 / 154.9744", "0.05162142908764286", "0.05162142908764286", "0.05162142908764286", NULL},
    {"(33539.54262603 / -True * 501253.7007304) % (-969603 // -938717)", "0.8974647521972656", "0.8974647521972656", "0.8974647521972656", NULL},
    {"(1) - (2.5)", "-1.5", "-1.5", "-1.5", NULL},
    {"2 // 0.000716", "2793.0", "2793.0", "2793.0", NULL},
    {"-False", "0", "0", "0", NULL},
    {"-0.00851 // 457406.000565 / 2373.36299", "-0.00042134304959394345", "-0.00042134304959394345", "-0.00042134304959394345", NULL},
    {"(((17) - (2.5)) // ((14) + (3138108.232734))) / (-9 * -19 * -28148.0 * 4611686018427387904)", "-0.0", "-0.0", "-0.0", NULL},
    {"((5) * (9)) // ((4) * (0.5)) / (-208606) * (0.2254) // 1091271.18 % 0.004", "2.0816681711721685e-17", "2.0816681711721685e-17", "2.0816681711721685e-17", NULL},
    {"(14) ** (1)", "14", "14", "14", NULL},
    {"(32986.41285) % (3037000500)", "32986.41285", "32986.41285", "32986.41285", NULL},
    {"-523074 * 0", "0", "0", "0", NULL},
    {"-10 // 3", "-4", "-4", "-4", NULL},
    {"-277481 / 7", "-39640.142857142855", "-39640.142857142855", "-39640.142857142855", NULL},
    {"2444098.163", "2444098.163", "2444098.163", "2444098.163", NULL},
    {"10 + 428887", "428897", "428897", "428897", NULL},
    {"1e+300 + -9007199254740993 - 387704.966", "1e+300", "1e+300", "1e+300", NULL},
    {"10", "10", "10", "10", NULL},
    {"-6439.2591 % 7 // -15", "-1.0", "-1.0", "-1.0", NULL},
    {"(-852961) // (1e-300)", "-8.52961e+305", "-8.52961e+305", "-8.52961e+305", NULL},
    {"(1 - 1) * (-5)", "0", "0", "0", NULL},
    {"(20) - (761932)", "-761912", "-761912", "-761912", NULL},
    {"((14) / (-9007199254740993)) % (11)", "10.999999999999998", "10.999999999999998", "10.999999999999998", NULL},
    {"(-0.091) ** (-1.5)", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"(17) / (2147483648)", "7.916241884231567e-09", "7.916241884231567e-09", "7.916241884231567e-09", NULL},
    {"16", "16", "16", "16", NULL},
    {"65073.0816273 - 0.00074", "65073.0808873", "65073.0808873", "65073.0808873", NULL},
    {"8", "8", "8", "8", NULL},
    {"3 % 7", "3", "3", "3", NULL},
    {"119289.0 ** -1.5", "2.427165571328393e-08", "2.427165571328393e-08", "2.427165571328393e-08", NULL},
    {"(-400951) % (8318.960714)", "6678.074986000036", "6678.074986000036", "6678.074986000036", NULL},
    {"-13", "-13", "-13", "-13", NULL},
    {"(2147483648) % (4)", "0", "0", "0", NULL},
    {"-2 // 11", "-1", "-1", "-1", NULL},
    {"468102", "468102", "468102", "468102", NULL},
    {"(1e-300) // (-0.5)", "-1.0", "-1.0", "-1.0", NULL},
    {"((-12) ** (3)) / ((11336.0789) % (-0.0459233))", "41357.81933275691", "41357.81933275691", "41357.81933275691", NULL},
    {"(4099149.67 / 0.00358) / (13)", "88077990.33089815", "88077990.33089815", "88077990.33089815", NULL},
    {"-9456", "-9456", "-9456", "-9456", NULL},
    {"(7818773.4180715) - ((0.0652) % (445771))", "7818773.3528715", "7818773.3528715", "7818773.3528715", NULL},
    {"(13922) % ((0.0 - 8811.053441) / (-1000000000000000000))", "8.988164658704407e-16", "8.988164658704407e-16", "8.988164658704407e-16", NULL},
    {"(-0.0) // (15)", "-0.0", "-0.0", "-0.0", NULL},
    {"((-4.8e-05) + (0.02477)) ** (-1.5)", "257.26138113596625", "257.26138113596625", "257.26138113596625", NULL},
    {"-72623 - 161133", "-233756", "-233756", "-233756", NULL},
    {"0", "0", "0", "0", NULL},
    {"(13) * (-18)", "-234", "-234", "-234", NULL},
    {"1e-300 % 81.8 ** 0.5", "1e-300", "1e-300", "1e-300", NULL},
    {"False // -4294967296", "0", "0", "0", NULL},
    {"4611686018427387904", "4611686018427387904", "4611686018427387904", "4611686018427387904", NULL},
    {"7 + (-9611770.012026) % (-2)", "6.987973999232054", "6.987973999232054", "6.987973999232054", NULL},
    {"-566355 // -0.0044", "128717045.0", "128717045.0", "128717045.0", NULL},
    {"-5e-324", "-5e-324", "-5e-324", "-5e-324", NULL},
    {"1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", NULL},
    {"0.51332334 + 13", "13.51332334", "13.51332334", "13.51332334", NULL},
    {"(729943) / (6)", "121657.16666666667", "121657.16666666667", "121657.16666666667", NULL},
    {"(92.0429) % (1000000000000000000)", "92.0429", "92.0429", "92.0429", NULL},
    {"(((14) - (1e+300)) * (7.9272174)) % (-6721.804028)", "-4258.603069653904", "-4258.603069653904", "-4258.603069653904", NULL},
    {"48579", "48579", "48579", "48579", NULL},
    {"3 - 0.001", "2.999", "2.999", "2.999", NULL},
    {"(0) ** (33)", "0", "0", "0", NULL},
    {"6003020.73744", "6003020.73744", "6003020.73744", "6003020.73744", NULL},
    {"(((9) / (637242)) // (19)) // ((-0.0 * 8351118.25) // ((849746) - (0)))", NULL, NULL, NULL, "ZeroDivisionError: float floor division by zero"},
    {"-9007199254740992", "-9007199254740992", "-9007199254740992", "-9007199254740992", NULL},
    {"(((17) % (-13)) - ((-False) // (19))) ** (0.5)", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"(-51918) / (-False)", NULL, NULL, NULL, "ZeroDivisionError: division by zero"},
    {"10", "10", "10", "10", NULL},
    {"4294967296 ** 2.0", "1.8446744073709552e+19", "1.8446744073709552e+19", "1.8446744073709552e+19", NULL},
    {"1", "1", "1", "1", NULL},
    {"0.5 ** -1.5 // (-4611686018427387904) % (18) - (-10) * (0.0)", "17.0", "17.0", "17.0", NULL},
    {"(-4 * 5668.4 // 7) * ((2 + 16) * (661800))", "-38596176000.0", "-38596176000.0", "-38596176000.0", NULL},
    {"(856989) * (2588225.93) ** 65", NULL, NULL, NULL, "OverflowError: (34, 'Numerical result out of range')"},
    {"(4294967296 ** 0.5) // (13 + -14)", "-65536.0", "-65536.0", "-65536.0", NULL},
    {"15", "15", "15", "15", NULL},
    {"-1e-300 % -654885", "-1e-300", "-1e-300", "-1e-300", NULL},
    {"3.0 + 0.3250498 / -16 / 1e-300", "-2.03156125e+298", "-2.03156125e+298", "-2.03156125e+298", NULL},
    {"8 + -287000 / 0.0081 // 0.045491 // 4294967296", "7.0", "7.0", "7.0", NULL},
    {"8517.411335 - 3", "8514.411335", "8514.411335", "8514.411335", NULL},
    {"-629676 / -5", "125935.2", "125935.2", "125935.2", NULL},
    {"0.5105 - 4327.0", "-4326.4895", "-4326.4895", "-4326.4895", NULL},
    {"-0", "0", "0", "0", NULL},
    {"(-875.42) * (-0.0)", "0.0", "0.0", "0.0", NULL},
    {"1e+16 + -5e-324", "1e+16", "1e+16", "1e+16", NULL},
    {"6491.05 % 11", "1.050000000000182", "1.050000000000182", "1.050000000000182", NULL},
    {"(-9007199254740993 + -0.0) / (-10)", "900719925474099.2", "900719925474099.2", "900719925474099.2", NULL},
    {"(-7) + (3) ** 2.0", "2.0", "2.0", "2.0", NULL},
    {"(891769) ** (-1.5)", "1.187466709971184e-09", "1.187466709971184e-09", "1.187466709971184e-09", NULL},
    {"1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", NULL},
    {"6 + 0.005 / -74105 ** -1.5", "-100859.18089851733", "-100859.18089851733", "-100859.18089851733", NULL},
    {"15 ** 53 * 13 // 4611686018427387904", NULL, NULL, NULL, "OverflowError: *"},
    {"(0.1) ** (0.5)", "0.31622776601683794", "0.31622776601683794", "0.31622776601683794", NULL},
    {"(785573.7809898) / (-0.5)", "-1571147.5619796", "-1571147.5619796", "-1571147.5619796", NULL},
    {"(((12) % (0.01)) ** (0.5)) - (((2147483648) ** (-1.5)) - ((-14) + (True)))", "-12.900000000000013", "-12.900000000000013", "-12.900000000000013", NULL},
    {"(3037000500) // (133555)", "22739", "22739", "22739", NULL},
    {"4896851.3 % 5e-324", "0.0", "0.0", "0.0", NULL},
    {"(593094 * 0.0) // (-0.00872)", "-0.0", "-0.0", "-0.0", NULL},
    {"63420.81544483", "63420.81544483", "63420.81544483", "63420.81544483", NULL},
    {"6", "6", "6", "6", NULL},
    {"-705571", "-705571", "-705571", "-705571", NULL},
    {"14", "14", "14", "14", NULL},
    {"((764086) * (-2147483648)) - (0.116 / -580428.8)", "-1640862190665728.0", "-1640862190665728.0", "-1640862190665728.0", NULL},
    {"-7", "-7", "-7", "-7", NULL},
    {"-3 % 3 * 2147483648", "0", "0", "0", NULL},
    {"(1e-300) ** (1)", "1e-300", "1e-300", "1e-300", NULL},
    {"(7) / (923.415159)", "0.007580555649076149", "0.007580555649076149", "0.007580555649076149", NULL},
    {"(-81946.88223 // 0.1) % (-9223372036854775807 ** 0.5) + 0.00059815", "-819468.99940185", "-819468.99940185", "-819468.99940185", NULL},
    {"19", "19", "19", "19", NULL},
    {"536.5669 // 4546.441", "0.0", "0.0", "0.0", NULL},
    {"(-4) % (5.35759 - 19) + 15", "11.0", "11.0", "11.0", NULL},
    {"((-4) / (9)) + (8207.4753206 / (692700) ** (5))", NULL, NULL, NULL, "OverflowError: *"},
    {"((19) * (-5e-324)) + (8 / -9223372036854775807)", "-8.673617379884035e-19", "-8.673617379884035e-19", "-8.673617379884035e-19", NULL},
    {"(-3037000499) / (3.0)", "-1012333499.6666666", "-1012333499.6666666", "-1012333499.6666666", NULL},
    {"(61974 ** 2.0) * ((-281018.56523) / (54196.27857))", "-19915196750.35076", "-19915196750.35076", "-19915196750.35076", NULL},
    {"((264333.89) // (239.0453)) / (0.5 - 3.0) - 12", "-454.0", "-454.0", "-454.0", NULL},
    {"-8 * 1e+300", "-8e+300", "-8e+300", "-8e+300", NULL},
    {"-602349 % 3037000500", "3036398151", "3036398151", "3036398151", NULL},
    {"((9) + (-0.009659 + 14)) - (20 % -15 + -1e+16)", "1.0000000000000032e+16", "1.0000000000000032e+16", "1.0000000000000032e+16", NULL},
    {"-3854173.67131", "-3854173.67131", "-3854173.67131", "-3854173.67131", NULL},
    {"((4.23) / (20) // (7.65) - (-166708.581)) / (((18) // (2)) % ((-14) - (17)))", "-7577.662772727273", "-7577.662772727273", "-7577.662772727273", NULL},
    {"((789330) + (-20) + -3) % (((17) % (9007199254740993)) % ((2.5) // (-5e-324)))", "-inf", "-inf", "-Infinity", NULL},
    {"22.15 + 4 * (0.03495) * (0.00057965) % 17 - (20) + (True)", "3.1500810350699986", "3.1500810350699986", "3.1500810350699986", NULL},
    {"-15 - 860228", "-860243", "-860243", "-860243", NULL},
    {"-6904.438865", "-6904.438865", "-6904.438865", "-6904.438865", NULL},
    {"(0) / (5)", "0.0", "0.0", "0.0", NULL},
    {"12", "12", "12", "12", NULL},
    {"(314260 - 0.0071) ** (-1.5)", "5.676313266639318e-09", "5.676313266639318e-09", "5.676313266639318e-09", NULL},
    {"(1000000000000000000) // (9007199254740992)", "111", "111", "111", NULL},
    {"(-94324) / (0.0)", NULL, NULL, NULL, "ZeroDivisionError: float division by zero"},
    {"9", "9", "9", "9", NULL},
    {"-7835.676075", "-7835.676075", "-7835.676075", "-7835.676075", NULL},
    {"-8", "-8", "-8", "-8", NULL},
    {"12", "12", "12", "12", NULL},
    {"19", "19", "19", "19", NULL},
    {"-792308", "-792308", "-792308", "-792308", NULL},
    {"((8) % (15)) / (-19 * 0.5) - (15) + (12) + (-460923) - (914912)", "-1375838.8421052631", "-1375838.8421052631", "-1375838.8421052631", NULL},
    {"(192003) // (-2.08469)", "-92102.0", "-92102.0", "-92102.0", NULL},
    {"3037000500", "3037000500", "3037000500", "3037000500", NULL},
    {"-7827.509 ** 51", "-3.756664038513335e+198", "-3.756664038513335e+198", "-3.756664038513335e+198", NULL},
    {"False % 6.1", "0.0", "0.0", "0.0", NULL},
    {"63.8094", "63.8094", "63.8094", "63.8094", NULL},
    {"-2539.6897313", "-2539.6897313", "-2539.6897313", "-2539.6897313", NULL},
    {"852106 - 1.0", "852105.0", "852105.0", "852105.0", NULL},
    {"904.6725485", "904.6725485", "904.6725485", "904.6725485", NULL},
    {"((-1e+16) + (-0)) - (9223372036854775807 // 16)", "-5.864607523034235e+17", "-5.864607523034235e+17", "-5.864607523034235e+17", NULL},
    {"((20) ** (30)) ** (35)", NULL, NULL, NULL, "OverflowError: *"},
    {"11 ** 0 / (8) / (9.7)", "0.012886597938144331", "0.012886597938144331", "0.012886597938144331", NULL},
    {"(0.00816855 * 5) - (-0.1 + 670134)", "-670133.85915725", "-670133.85915725", "-670133.85915725", NULL},
    {"17", "17", "17", "17", NULL},
    {"(1e-300) + (5) ** 5", "3125.0", "3125.0", "3125.0", NULL},
    {"906454", "906454", "906454", "906454", NULL},
    {"4294967296", "4294967296", "4294967296", "4294967296", NULL},
    {"-3037000500 - 9862", "-3037010362", "-3037010362", "-3037010362", NULL},
    {"9.2647989", "9.2647989", "9.2647989", "9.2647989", NULL},
    {"(5) // (906.1983819)", "0.0", "0.0", "0.0", NULL},
    {"-1e+300 % -8959.28225603 + -18 / (0.0112893) * (-2.5)", "3659.8764183426765", "3659.8764183426765", "3659.8764183426765", NULL},
    {"(0.35064) % (1.7976931348623157e+308)", "0.35064", "0.35064", "0.35064", NULL},
    {"15", "15", "15", "15", NULL},
    {"0.1 % 5941.5424", "0.1", "0.1", "0.1", NULL},
    {"-5", "-5", "-5", "-5", NULL},
    {"(-202172 / 4) + ((3.0) % (0))", NULL, NULL, NULL, "ZeroDivisionError: float modulo"},
    {"0", "0", "0", "0", NULL},
    {"-0.007 % -3037000499", "-0.007", "-0.007", "-0.007", NULL},
    {"4", "4", "4", "4", NULL},
    {"-229238 % 3.0 * 18", "18.0", "18.0", "18.0", NULL},
    {"(-3037000499) * (19)", "-57703009481", "-57703009481", "-57703009481", NULL},
    {"(20) // (0.894) / 16", "1.375", "1.375", "1.375", NULL},
    {"((365148.34309) + (-0.1)) / (5e-324)", "inf", "inf", "Infinity", NULL},
    {"1.7976931348623157e+308 // 515861 // 346593 ** 2 - ((0.4) % (-85809.294)) + (14)", "2.900970348774438e+291", "2.900970348774438e+291", "2.900970348774438e+291", NULL},
    {"(0.1) ** (2.0)", "0.010000000000000002", "0.010000000000000002", "0.010000000000000002", NULL},
    {"2.5 ** -1.5 * -20", "-5.059644256269406", "-5.059644256269406", "-5.059644256269406", NULL},
    {"528516", "528516", "528516", "528516", NULL},
    {"(50309.0) ** (-1.5)", "8.861994429254913e-08", "8.861994429254913e-08", "8.861994429254913e-08", NULL},
    {"8275 * -4294967296", "-35540854374400", "-35540854374400", "-35540854374400", NULL},
    {"(True) ** (4)", "1", "1", "1", NULL},
    {"-1.7976931348623157e+308", "-1.7976931348623157e+308", "-1.7976931348623157e+308", "-1.7976931348623157e+308", NULL},
    {"20 // 0.04", "499.0", "499.0", "499.0", NULL},
    {"(-15 // 156695) + ((609.7724) ** (3))", "226727023.90543067", "226727023.90543067", "226727023.90543067", NULL},
    {"((789319) * (-13.0)) - ((1e+300) / (-0.0802)) * 6 % False / 9223372036854775807", NULL, NULL, NULL, "ZeroDivisionError: float modulo"},
    {"-555613", "-555613", "-555613", "-555613", NULL},
    {"476413 ** 2.0 + (12) + (-1e+16)", "-9999773030653420.0", "-9999773030653420.0", "-9999773030653420.0", NULL},
    {"64.47995873 % -38.5", "-12.520041269999993", "-12.520041269999993", "-12.520041269999993", NULL},
    {"(-False) // (20)", "0", "0", "0", NULL},
    {"-8e-05 ** 61 * (-1 + 325.7) + (-11)", "-11.0", "-11.0", "-11.0", NULL},
    {"(0.000816) // (0.03861474) ** 2.0", "0.0", "0.0", "0.0", NULL},
    {"(15 ** 4 ** 0.5) // (-35266)", "-1.0", "-1.0", "-1.0", NULL},
    {"((18) / (0)) ** (3)", NULL, NULL, NULL, "ZeroDivisionError: division by zero"},
    {"86.3", "86.3", "86.3", "86.3", NULL},
    {"(39995.5) / (704523)", "0.056769615754205326", "0.056769615754205326", "0.056769615754205326", NULL},
    {"-0.0144489 ** 0.5", "-0.1202035773178153", "-0.1202035773178153", "-0.1202035773178153", NULL},
    {"(781078) / (9480517.41 / 0.000885)", "7.291311223909245e-05", "7.291311223909245e-05", "7.291311223909245e-05", NULL},
    {"160370 / (6836.09292545) // (-844966) // (-9) / (593974.83701)", "0.0", "0.0", "0.0", NULL},
    {"3037000499 // 0.00048", "6327084372916.0", "6327084372916.0", "6327084372916.0", NULL},
    {"(0.3381) / ((5696.48694954) ** (1))", "5.9352369801760384e-05", "5.9352369801760384e-05", "5.9352369801760384e-05", NULL},
    {"19 // (0) // (18) - 1.7976931348623157e+308", NULL, NULL, NULL, "ZeroDivisionError: integer division or modulo by zero"},
    {"9007199254740993 - 0.1 - 353517 - True", "9007199254387474.0", "9007199254387474.0", "9007199254387474.0", NULL},
    {"738170 * (-20 + 706056) / (-459252 % 7379628.9842519)", "75310.1449973017", "75310.1449973017", "75310.1449973017", NULL},
    {"-False", "0", "0", "0", NULL},
    {"((-3.9589 // 18) + (531885 + 18)) / (-119058)", "-4.467587226393858", "-4.467587226393858", "-4.467587226393858", NULL},
    {"8", "8", "8", "8", NULL},
    {"(5 // 9007199254740992) // (4 - 61998) // 1e-300 * (-4611686018427387904) // (10)", "-0.0", "-0.0", "-0.0", NULL},
    {"47968 - 28426.578369", "19541.421631", "19541.421631", "19541.421631", NULL},
    {"-14232.594372", "-14232.594372", "-14232.594372", "-14232.594372", NULL},
    {"4294967296", "4294967296", "4294967296", "4294967296", NULL},
    {"(28.23884268) - ((3) + (-15)) ** -1.5", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"(((7) + (4294967296)) % (3037000500)) // (((-86.1) // (16)) / (2147483648 + -4))", "-4.502438556895784e+17", "-4.502438556895784e+17", "-4.502438556895784e+17", NULL},
    {"(1e-300 % -469580) - ((-7) % (9))", "-469582.0", "-469582.0", "-469582.0", NULL},
    {"(880519 - -832711 / 0.36569359) + ((-17) // (6) ** -1.5)", "3157341.999830268", "3157341.999830268", "3157341.999830268", NULL},
    {"1 - -0.45", "1.45", "1.45", "1.45", NULL},
    {"((266771) - (2.5)) + (-15 * -5)", "266843.5", "266843.5", "266843.5", NULL},
    {"(17) / (0.4991)", "34.061310358645564", "34.061310358645564", "34.061310358645564", NULL},
    {"19 / 14", "1.3571428571428572", "1.3571428571428572", "1.3571428571428572", NULL},
    {"-12", "-12", "-12", "-12", NULL},
    {"-0.00071232 + 70632.9256 * 3037000499", "214512230293029.88", "214512230293029.88", "214512230293029.88", NULL},
    {"(12 / 12) ** (2)", "1.0", "1.0", "1.0", NULL},
    {"(50.869 ** 15) - (12)", "3.95182771872765e+25", "3.95182771872765e+25", "3.95182771872765e+25", NULL},
    {"-0.0", "-0.0", "-0.0", "-0.0", NULL},
    {"(262383) + (8320685.9532934) % -9 // 0.0811605 ** 0.5", "262372.0", "262372.0", "262372.0", NULL},
    {"(4294967296) - (-1.2) - (-9007199254740992) + (-592096)", "9007203549116194.0", "9007203549116194.0", "9007203549116194.0", NULL},
    {"(453.0 + 8614.43053478) + (9) * (9223372036854775807) * (-853.15073213)", NULL, NULL, NULL, "OverflowError: *"},
    {"2043160.78248 * -10", "-20431607.8248", "-20431607.8248", "-20431607.8248", NULL},
    {"4.0", "4.0", "4.0", "4.0", NULL},
    {"3798381.96190706 % 10758", "807.9619070598856", "807.9619070598856", "807.9619070598856", NULL},
    {"-19.43", "-19.43", "-19.43", "-19.43", NULL},
    {"3037000499 + 333288.3099 ** -1.5", "3037000499.0", "3037000499.0", "3037000499.0", NULL},
    {"139808.32010135", "139808.32010135", "139808.32010135", "139808.32010135", NULL},
    {"-1.7976931348623157e+308", "-1.7976931348623157e+308", "-1.7976931348623157e+308", "-1.7976931348623157e+308", NULL},
    {"269120 % -169447", "-69774", "-69774", "-69774", NULL},
    {"3037000500", "3037000500", "3037000500", "3037000500", NULL},
    {"3.0 // 4 // (54.24 // 10) + ((1.7976931348623157e+308) + (-0.00015))", "1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", NULL},
    {"(-3) // (961801 / 496453)", "-2.0", "-2.0", "-2.0", NULL},
    {"((0.0) + (14)) + (-0.8 + 1)", "14.2", "14.2", "14.2", NULL},
    {"18", "18", "18", "18", NULL},
    {"11 + -0.1 * (17) // (82102.35448)", "10.0", "10.0", "10.0", NULL},
    {"-3", "-3", "-3", "-3", NULL},
    {"(0.0 + 2) + ((-835.1) / (4)) * 0.0968", "-18.20942", "-18.20942", "-18.20942", NULL},
    {"(8) / (0.00046)", "17391.304347826088", "17391.304347826088", "17391.304347826088", NULL},
    {"0.1 ** 2", "0.010000000000000002", "0.010000000000000002", "0.010000000000000002", NULL},
    {"(-11) ** (2.0)", "121.0", "121.0", "121.0", NULL},
    {"(0.04) % (0.155)", "0.04", "0.04", "0.04", NULL},
    {"(-49646 ** 0.5) / (0.0)", NULL, NULL, NULL, "ZeroDivisionError: float division by zero"},
    {"-9 % False ** 0.5", NULL, NULL, NULL, "ZeroDivisionError: float modulo"},
    {"(False) % (-614869)", "0", "0", "0", NULL},
    {"(44268) - ((-71006.9) ** (-1.5))", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"70400.167265", "70400.167265", "70400.167265", "70400.167265", NULL},
    {"289303 - (382451) % (-9007199254740992)", "9007199254647844", "9007199254647844", "9007199254647844", NULL},
    {"12 // 11", "1", "1", "1", NULL},
    {"14 % 3037000499 * 14 - -3037000500", "3037000696", "3037000696", "3037000696", NULL},
    {"(-19) - ((-0.00642782 * 16) / ((12) - (532187)))", "-19.000000193254323", "-19.000000193254323", "-19.000000193254323", NULL},
    {"((-0.04) * (9)) * (956643)", "-344391.48", "-344391.48", "-344391.48", NULL},
    {"((17) / (0.1)) / (604364.31)", "0.0002812872917661203", "0.0002812872917661203", "0.0002812872917661203", NULL},
    {"790.6096011", "790.6096011", "790.6096011", "790.6096011", NULL},
    {"(-7.2) ** (-1.5)", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"((-434169) % (1e-300)) % ((458.0) * (-65677)) / (5 // -36.34) ** (44)", "-30080066.0", "-30080066.0", "-30080066.0", NULL},
    {"-10 % -15 * (-False) // (1)", "0", "0", "0", NULL},
    {"-0 % -1000000000000000000 / 857734", "0.0", "0.0", "0.0", NULL},
    {"(-93781.87057) * (-4013988.4432)", "376439344649.6582", "376439344649.6582", "376439344649.6582", NULL},
    {"(-0.001) * (999601)", "-999.601", "-999.601", "-999.601", NULL},
    {"13", "13", "13", "13", NULL},
    {"2", "2", "2", "2", NULL},
    {"5", "5", "5", "5", NULL},
    {"False * 0.1 ** 0.5", "0.0", "0.0", "0.0", NULL},
    {"11 % 4 // 278039 ** -1.5 * ((0.1) * (-9)) * (957587)", "-379053562239407.75", "-379053562239407.75", "-379053562239407.75", NULL},
    {"(378905) ** (13)", NULL, NULL, NULL, "OverflowError: *"},
    {"(False) % (15) + 3377568.794 / -4294967296 ** -1.5", "-9.507010976297885e+20", "-9.507010976297885e+20", "-9.507010976297885e+20", NULL},
    {"-13 - ((-168407) ** (2.0)) / (-0.4)", "70902294109.5", "70902294109.5", "70902294109.5", NULL},
    {"-3.0", "-3.0", "-3.0", "-3.0", NULL},
    {"0.1", "0.1", "0.1", "0.1", NULL},
    {"-13", "-13", "-13", "-13", NULL},
    {"(0.09 ** 0.5) // (0.2037)", "1.0", "1.0", "1.0", NULL},
    {"345845", "345845", "345845", "345845", NULL},
    {"-0.0", "-0.0", "-0.0", "-0.0", NULL},
    {"(140607) % (4294967296) * (235222) + (0.0099) / (-1 % -8) % (17)", "33073859770.9901", "33073859770.9901", "33073859770.9901", NULL},
    {"-478310 % (12 - False) + ((600127) / (-936827))", "9.359404671300037", "9.359404671300037", "9.359404671300037", NULL},
    {"1e-300", "1e-300", "1e-300", "1e-300", NULL},
    {"6", "6", "6", "6", NULL},
    {"938092", "938092", "938092", "938092", NULL},
    {"0.00044", "0.00044", "0.00044", "0.00044", NULL},
    {"615250", "615250", "615250", "615250", NULL},
    {"0.0", "0.0", "0.0", "0.0", NULL},
    {"-1e+16", "-1e+16", "-1e+16", "-1e+16", NULL},
    {"0.919014 * 0.0009822", "0.0009026555507999999", "0.0009026555507999999", "0.0009026555507999999", NULL},
    {"(False) ** (5)", "0", "0", "0", NULL},
    {"-884596 / -573588 ** -1.5", "384277588434682.9", "384277588434682.9", "384277588434682.9", NULL},
    {"968285", "968285", "968285", "968285", NULL},
    {"(13) - (3)", "10", "10", "10", NULL},
    {"(3037000499 / -1000000000000000000 % (-948773) - (89.52)) / (((9223372036854775807) - (-0.0333013)) // (18 // -17))", "1.9411555696839015e-17", "1.9411555696839015e-17", "1.9411555696839015e-17", NULL},
    {"2031.077168 - 32960.0", "-30928.922832", "-30928.922832", "-30928.922832", NULL},
    {"(0) / (43794.74)", "0.0", "0.0", "0.0", NULL},
    {"((14) + (8)) / ((-4) * ((5) * (12)))", "-0.09166666666666666", "-0.09166666666666666", "-0.09166666666666666", NULL},
    {"0.06", "0.06", "0.06", "0.06", NULL},
    {"((366942) % (8)) ** (0.5)", "2.449489742783178", "2.449489742783178", "2.449489742783178", NULL},
    {"9007199254740993", "9007199254740993", "9007199254740993", "9007199254740993", NULL},
    {"-447597 - 18", "-447615", "-447615", "-447615", NULL},
    {"(-19) + (-0.2669) * -2 % 0.087653 // ((-0.0005) // (0.7)) // (-0.0 + 5)", "-20.0", "-20.0", "-20.0", NULL},
    {"603531", "603531", "603531", "603531", NULL},
    {"3.0", "3.0", "3.0", "3.0", NULL},
    {"(0.5) + (-1e-300) - 0.2153 - False - 2 // 4602.223769 // True", "0.2847", "0.2847", "0.2847", NULL},
    {"5 / 1826.34", "0.0027377158688962626", "0.0027377158688962626", "0.0027377158688962626", NULL},
    {"(-3.0) - (883.0)", "-886.0", "-886.0", "-886.0", NULL},
    {"4611686018427387904 + -0.5", "4.611686018427388e+18", "4.611686018427388e+18", "4.611686018427388e+18", NULL},
    {"-False ** 0.5", "-0.0", "-0.0", "-0.0", NULL},
    {"1e+300 / -10", "-1e+299", "-1e+299", "-1e+299", NULL},
    {"3.0 / -3", "-1.0", "-1.0", "-1.0", NULL},
    {"402090", "402090", "402090", "402090", NULL},
    {"(11) - (False)", "11", "11", "11", NULL},
    {"(-399285 - 82.3 + (-5) / (20)) ** (37)", "-1.781527945725872e+207", "-1.781527945725872e+207", "-1.781527945725872e+207", NULL},
    {"2147483648 / 95406.8183457 - 41032.0 / True", "-18523.297946665178", "-18523.297946665178", "-18523.297946665178", NULL},
    {"0 - 785449", "-785449", "-785449", "-785449", NULL},
    {"9007199254740993 / -10", "-900719925474099.2", "-900719925474099.2", "-900719925474099.2", NULL},
    {"(-743680) // (((84.9) / (0.5)) + (-0 // 16))", "-4380.0", "-4380.0", "-4380.0", NULL},
    {"(((3) % (3.448)) ** (-1.5)) / (11)", "0.017495462702715934", "0.017495462702715934", "0.017495462702715934", NULL},
    {"(0.75758) / (9007199254740992) * 675357", "5.680311288669415e-11", "5.680311288669415e-11", "5.680311288669415e-11", NULL},
    {"-8", "-8", "-8", "-8", NULL},
    {"(8490) // (((0.0) ** (2.0)) % (-2))", NULL, NULL, NULL, "ZeroDivisionError: float floor division by zero"},
    {"True", "True", "True", "true", NULL},
    {"(-2147483648 ** 59) % ((9007199254740992) // (9007199254740993) * -20 / 5)", NULL, NULL, NULL, "OverflowError: *"},
    {"(568875.6601754) * (7)", "3982129.6212278", "3982129.6212278", "3982129.6212278", NULL},
    {"0 % -9", "0", "0", "0", NULL},
    {"17 + 1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", "1.7976931348623157e+308", NULL},
    {"1e+16 - 9", "9999999999999992.0", "9999999999999992.0", "9999999999999992.0", NULL},
    {"(-124.91) * (10)", "-1249.1", "-1249.1", "-1249.1", NULL},
    {"0.0", "0.0", "0.0", "0.0", NULL},
    {"((4) + (6)) ** (38) + -106407", NULL, NULL, NULL, "OverflowError: *"},
    {"4294967296 ** -1.5", "3.552713678800501e-15", "3.552713678800501e-15", "3.552713678800501e-15", NULL},
    {"374423 // 891740", "0", "0", "0", NULL},
    {"2.5 * (-19) * (False) // (-807361.0 * 959804) - (-19)", "19.0", "19.0", "19.0", NULL},
    {"996083", "996083", "996083", "996083", NULL},
    {"(False - 1 * -0) - (-14)", "14", "14", "14", NULL},
    {"654890", "654890", "654890", "654890", NULL},
    {"729425", "729425", "729425", "729425", NULL},
    {"7", "7", "7", "7", NULL},
    {"(-627252) // (2)", "-313626", "-313626", "-313626", NULL},
    {"(7) / ((0.9) ** (2.0))", "8.641975308641975", "8.641975308641975", "8.641975308641975", NULL},
    {"(2.5) // (2)", "1.0", "1.0", "1.0", NULL},
    {"((14) + (-115010)) % (264.0985711 / 13)", "8.77007669999885", "8.77007669999885", "8.77007669999885", NULL},
    {"9 + -0.1 / (280609) ** (59) ** 32", NULL, NULL, NULL, "OverflowError: *"},
    {"8 - 1e-300 / -7", "8.0", "8.0", "8.0", NULL},
    {"550448", "550448", "550448", "550448", NULL},
    {"(1e-300) - (17)", "-17.0", "-17.0", "-17.0", NULL},
    {"-75.0", "-75.0", "-75.0", "-75.0", NULL},
    {"(0.661) % ((15) - (1000000000000000000) + False // -173686.9)", "-1e+18", "-1e+18", "-1e+18", NULL},
    {"5", "5", "5", "5", NULL},
    {"(-8574.02 + 9 // (16) + (13)) * ((0.8057116) ** (2.0))", "-5557.567475732256", "-5557.567475732256", "-5557.567475732256", NULL},
    {"(2147483648) ** (5)", NULL, NULL, NULL, "OverflowError: *"},
    {"-822543 - 4.94", "-822547.94", "-822547.94", "-822547.94", NULL},
    {"((-262465) - (17)) // ((-446919) // (619288))", "262482", "262482", "262482", NULL},
    {"0.000472 / -0.01 - 868962 % 1e-300", "-0.0472", "-0.0472", "-0.0472", NULL},
    {"(-0.000129) / (0.001299) % (-1e+16) ** (-1.5)", NULL, NULL, NULL, "ValueError: negative number cannot be raised to a fractional power"},
    {"(-2) + (0.00015625) // -7", "-3.0", "-3.0", "-3.0", NULL},
    {"(209433) - (281440) / 10 - -99.9", "181388.9", "181388.9", "181388.9", NULL},
    {"-9223372036854775807 + 0 // 7087.6903", "-9.223372036854776e+18", "-9.223372036854776e+18", "-9.223372036854776e+18", NULL},
    {"False % 16 ** 48", NULL, NULL, NULL, "OverflowError: *"},
    {"0.2692051", "0.2692051", "0.2692051", "0.2692051", NULL},
    {"-1e+300 % 0.0078708", "0.0020717441353733553", "0.0020717441353733553", "0.0020717441353733553", NULL},
    {"14", "14", "14", "14", NULL},
    {"(4294967296 / -True // 9223372036854775807) * (-0.0 / True ** 0)", "0.0", "0.0", "0.0", NULL},
    {"-723617", "-723617", "-723617", "-723617", NULL},
    {"3521320.632 // -9007199254740992 + 19", "18.0", "18.0", "18.0", NULL},
    {"-91891.456 // 13 * -3 - 0.0 * 3.0", "21207.0", "21207.0", "21207.0", NULL},
    {"-0.0", "-0.0", "-0.0", "-0.0", NULL},
    {"((12 * 3) - ((1e+300) - (32411.97))) * (((87.56482) % (-True)) / (45557.1865 ** 4))", "1.0102790489844188e+281", "1.0102790489844188e+281", "1.0102790489844188e+281", NULL},
    {"14 / (3037000500) ** (2.0) / ((2147483648) * (4611686018427387904)) - (25249.10354)", NULL, NULL, NULL, "OverflowError: *"},
    {"-1.7976931348623157e+308 + 550458", "-1.7976931348623157e+308", "-1.7976931348623157e+308", "-1.7976931348623157e+308", NULL},
    {"18 * 58.0", "1044.0", "1044.0", "1044.0", NULL},
    {"-1771.45001", "-1771.45001", "-1771.45001", "-1771.45001", NULL},
    {"2.5 // (-False) // (-1000000000000000000) / 0 % (-8) % (13)", NULL, NULL, NULL, "ZeroDivisionError: float floor division by zero"},
    {"0.1 // 12 - 42857.4382", "-42857.4382", "-42857.4382", "-42857.4382", NULL},
    {"(-167100 - (8) ** (0.5)) + ((-0.04 % 4611686018427387904) % (195133 % 521772))", "-30890.82842712474", "-30890.82842712474", "-30890.82842712474", NULL},
    {"419953 // 9 - 0.274122 - 480030", "-433369.274122", "-433369.274122", "-433369.274122", NULL},
    {"-11 * -9223372036854775807", NULL, NULL, NULL, "OverflowError: *"},
    {"(-17 - 5e-324 / -7 - 0.5) * (-0.1 ** 2.0)", "0.17500000000000004", "0.17500000000000004", "0.17500000000000004", NULL},
    {"False", "False", "False", "false", NULL},
    {"2.3947127", "2.3947127", "2.3947127", "2.3947127", NULL},
    {"16", "16", "16", "16", NULL},
    {"(-1e-300) / (-9) // 8", "0.0", "0.0", "0.0", NULL},
    {"(-10 * 5e-324) - ((-0) ** (0.5))", "-5e-323", "-5e-323", "-5e-323", NULL},
    {"-5e-324", "-5e-324", "-5e-324", "-5e-324", NULL},
    {"((-18) / (272429.69693899)) / (3037000499 * 12) % (-False + 1e-300) // ((719230) - (True))", "0.0", "0.0", "0.0", NULL},
    {"-2706235005503732600 / -168", "1.610854169942698e+16", "1.610854169942698e+16", "1.610854169942698e+16", NULL},
    {"-4329066616573981053 / -788377300785318", "5491.11017308808", "5491.11017308808", "5491.11017308808", NULL},
    {"8517179318833997120 / 3", "2.8390597729446656e+18", "2.8390597729446656e+18", "2.8390597729446656e+18", NULL},
    {"964517611740517856 / 47120510050", "20469167.47541696", "20469167.47541696", "20469167.47541696", NULL},
    {"1404598652191706747 / 1165150480057942652", "1.2055083667148783", "1.2055083667148783", "1.2055083667148783", NULL},
    {"1016253851928145606 / -394825891637656", "-2573.92910002162", "-2573.92910002162", "-2573.92910002162", NULL},
    {"559624556198701709 / 2", "2.7981227809935085e+17", "2.7981227809935085e+17", "2.7981227809935085e+17", NULL},
    {"-8997917624482338096 / 5563104711363175211", "-1.6174273344348935", "-1.6174273344348935", "-1.6174273344348935", NULL},
    {"3871453545242959696 / -6", "-6.452422575404933e+17", "-6.452422575404933e+17", "-6.452422575404933e+17", NULL},
    {"1808618631840661223 / 5337737", "338836220638.1958", "338836220638.1958", "338836220638.1958", NULL},
    {"5065535957859427604 / -4673642459423381", "-1083.8518354449384", "-1083.8518354449384", "-1083.8518354449384", NULL},
    {"-3835391879549001195 / -959523469877", "3997184.018897062", "3997184.018897062", "3997184.018897062", NULL},
    {"-8009441007499661989 / 915107256", "-8752461479.225405", "-8752461479.225405", "-8752461479.225405", NULL},
    {"-43012169164151054 / 4690395", "-9170265865.487034", "-9170265865.487034", "-9170265865.487034", NULL},
    {"3457584487888870155 / -3727297954", "-927638340.3098528", "-927638340.3098528", "-927638340.3098528", NULL},
    {"1620959312276005524 / -200768447408891666", "-8.073775203205642", "-8.073775203205642", "-8.073775203205642", NULL},
    {"-2126892278369121809 / 73696470564", "-28860164.701131396", "-28860164.701131396", "-28860164.701131396", NULL},
    {"3430778816857075718 / -1973977128028", "-1738003.327467334", "-1738003.327467334", "-1738003.327467334", NULL},
    {"-8048210722011202476 / 3727143195523318833", "-2.1593510900461053", "-2.1593510900461053", "-2.1593510900461053", NULL},
    {"-5385091249651570921 / -21989995612", "244888236.6630811", "244888236.6630811", "244888236.6630811", NULL},
    {"-5483605199800690681 / -8375868", "654690976481.5647", "654690976481.5647", "654690976481.5647", NULL},
    {"-4849682262702604668 / -24753026", "195922804052.42593", "195922804052.42593", "195922804052.42593", NULL},
    {"2208361005434136904 / -2532001096630133", "-872.1801141292032", "-872.1801141292032", "-872.1801141292032", NULL},
    {"-7144809662199504065 / -158384166958559", "45110.63068614007", "45110.63068614007", "45110.63068614007", NULL},
    {"-1781139873304570436 / 68466706779730", "-26014.68592661869", "-26014.68592661869", "-26014.68592661869", NULL},
    {"-2726910415101343283 / 73", "-3.735493719316909e+16", "-3.735493719316909e+16", "-3.735493719316909e+16", NULL},
    {"-2031332082481960428 / -3004293032719488", "676.1431259730338", "676.1431259730338", "676.1431259730338", NULL},
    {"-7123406537890629219 / 686693258242295077", "-10.373491296716915", "-10.373491296716915", "-10.373491296716915", NULL},
    {"3656645291919251239 / -1313", "-2784954525452590.5", "-2784954525452590.5", "-2784954525452590.5", NULL},
    {"-6971459294423812965 / -6132", "1136898123682944.0", "1136898123682944.0", "1136898123682944.0", NULL},
    {"-7909233645158771099 / -5612080", "1409323039792.514", "1409323039792.514", "1409323039792.514", NULL},
    {"-5090976532999648783 / 4", "-1.2727441332499123e+18", "-1.2727441332499123e+18", "-1.2727441332499123e+18", NULL},
    {"2058076749603333028 / -15671878853", "-131322910.85885751", "-131322910.85885751", "-131322910.85885751", NULL},
    {"-5888124814026746257 / -151259530", "38927298095.04728", "38927298095.04728", "38927298095.04728", NULL},
    {"-4371969687431608095 / 15780664346467452", "-277.0459843416089", "-277.0459843416089", "-277.0459843416089", NULL},
    {"7099311260463425994 / -3313", "-2142864853746883.8", "-2142864853746883.8", "-2142864853746883.8", NULL},
    {"7909356861211013157 / 79377690", "99642063925.15344", "99642063925.15344", "99642063925.15344", NULL},
    {"-7027631803230243398 / 263995496", "-26620271594.445095", "-26620271594.445095", "-26620271594.445095", NULL},
    {"6275329366017491008 / -4301655765", "-1458817187.808493", "-1458817187.808493", "-1458817187.808493", NULL},
    {"8627767661244666590 / -29383763", "-293623647224.6481", "-293623647224.6481", "-293623647224.6481", NULL},
/* END GENERATED expr_cases */
};

static kiln_vars *make_vars(void)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_vars *vars = kiln_vars_new();
    kiln_value *v;
#define SET(name, value)                                                      \
    do {                                                                      \
        v = (value);                                                          \
        assert_int_equal(kiln_vars_set(vars, name, v), KILN_OK);              \
        kiln_value_unref(v);                                                  \
    } while (0)
    SET("x", kiln_value_int(5));
    SET("y", kiln_value_float(2.5));
    SET("s", kiln_value_str("h\xc3\xa9llo", 6));
    kiln_value *l = kiln_value_list_new();
    for (int i = 1; i <= 3; i++) {
        v = kiln_value_int(i);
        kiln_value_list_append(l, v);
        kiln_value_unref(v);
    }
    SET("l", l);
    kiln_value *d = kiln_value_dict_new(), *k, *b = kiln_value_list_new();
    for (int i = 1; i <= 2; i++) {
        v = kiln_value_int(i);
        kiln_value_list_append(b, v);
        kiln_value_unref(v);
    }
    k = kiln_value_str("a", 1);
    v = kiln_value_int(1);
    kiln_value_dict_set(d, k, v, &err);
    kiln_value_unref(k);
    kiln_value_unref(v);
    k = kiln_value_str("b", 1);
    kiln_value_dict_set(d, k, b, &err);
    kiln_value_unref(k);
    kiln_value_unref(b);
    SET("d", d);
    SET("t", kiln_value_bool(true));
    SET("n", kiln_value_none());
    SET("big", kiln_value_int(INT64_MAX));
    SET("neg", kiln_value_int(INT64_MIN));
    SET("e", kiln_value_str("", 0));
#undef SET
    return vars;
}

static int setup(void **state)
{
    *state = make_vars();
    return 0;
}

static int teardown(void **state)
{
    kiln_vars_free(*state);
    return 0;
}

/* "Ename: message" of a failed evaluation, or the repr of its value. */
static int eval_to(const kiln_vars *vars, const char *src, size_t len,
                   char *out, size_t size)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_value *v = NULL;
    int rc = kiln_expr_eval(src, len, vars, &v, &err);
    if (rc != KILN_OK) {
        assert_int_equal(err.code, rc);
        assert_null(v);
        snprintf(out, size, "%s: %s", kiln_status_ename(rc), err.message);
        return rc;
    }
    assert_non_null(v);
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_value_repr(v, &b);
    snprintf(out, size, "%s", kiln_buf_str(&b));
    kiln_buf_fini(&b);
    kiln_value_unref(v);
    return rc;
}

static void check(const kiln_vars *vars, const char *src, const char *want)
{
    char got[2048];
    eval_to(vars, src, strlen(src), got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", src, got, want);
}

/* ---- the CPython table ---------------------------------------------- */

static void test_python_table(void **state)
{
    const kiln_vars *vars = *state;
    size_t n = sizeof expr_cases / sizeof expr_cases[0];
    assert_true(n >= 700);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const char *src = expr_cases[i].src;
        kiln_error err;
        kiln_error_init(&err);
        kiln_value *v = NULL;
        int rc = kiln_expr_eval(src, strlen(src), vars, &v, &err);
        if (expr_cases[i].error != NULL) {
            const char *want = expr_cases[i].error;
            char got[1200];
            snprintf(got, sizeof got, "%s: %s", kiln_status_ename(rc),
                     err.message);
            size_t wl = strlen(want);
            bool name_only = wl > 3 && strcmp(want + wl - 3, ": *") == 0;
            bool ok = rc != KILN_OK &&
                      (name_only ? strncmp(got, want, wl - 1) == 0
                                 : strcmp(got, want) == 0);
            if (!ok) {
                print_error("%s\n  got:  %s\n  want: %s\n", src,
                            rc == KILN_OK ? "(a value)" : got, want);
                failures++;
            }
            kiln_value_unref(v);
            continue;
        }
        if (rc != KILN_OK) {
            print_error("%s\n  got:  %s: %s\n  want: %s\n", src,
                        kiln_status_ename(rc), err.message, expr_cases[i].repr);
            failures++;
            continue;
        }
        kiln_buf r, s, j;
        kiln_buf_init(&r);
        kiln_buf_init(&s);
        kiln_buf_init(&j);
        kiln_value_repr(v, &r);
        kiln_value_to_str(v, &s);
        kiln_value_to_json(v, &j);
        if (strcmp(kiln_buf_str(&r), expr_cases[i].repr) != 0 ||
            strcmp(kiln_buf_str(&s), expr_cases[i].str) != 0 ||
            strcmp(kiln_buf_str(&j), expr_cases[i].json) != 0) {
            print_error("%s\n  got:  %s | %s | %s\n  want: %s | %s | %s\n", src,
                        kiln_buf_str(&r), kiln_buf_str(&s), kiln_buf_str(&j),
                        expr_cases[i].repr, expr_cases[i].str,
                        expr_cases[i].json);
            failures++;
        }
        kiln_buf_fini(&r);
        kiln_buf_fini(&s);
        kiln_buf_fini(&j);
        kiln_value_unref(v);
    }
    assert_int_equal(failures, 0);
}

/* ---- syntax errors (kiln's wording: Python's, plus the column) ------- */

static void test_syntax_errors(void **state)
{
    const kiln_vars *vars = *state;
    static const struct {
        const char *src;
        const char *want;
    } cases[] = {
        {"(1 + )", "invalid syntax at column 6: unexpected ')'"},
        {"(1 + 2", "'(' was never closed at column 1"},
        {"[1, 2", "'[' was never closed at column 1"},
        {"f(1, [2", "'[' was never closed at column 6"},
        {"{'a': [1, 2}",
         "closing parenthesis '}' at column 12 does not match opening "
         "parenthesis '[' at column 7"},
        {"(1]",
         "closing parenthesis ']' at column 3 does not match opening "
         "parenthesis '(' at column 1"},
        {")", "unmatched ')' at column 1"},
        {"1)", "unmatched ')' at column 2"},
        {"1 + ]", "unmatched ']' at column 5"},
        {"'abc", "unterminated string literal at column 1"},
        {"1 + 'abc", "unterminated string literal at column 5"},
        {"r'abc\\'", "unterminated string literal at column 1"},
        {"'ab\ncd'", "unterminated string literal at column 1"},
        {"'''abc", "unterminated triple-quoted string literal at column 1"},
        {"[\"\"\"a\n\"\"", "unterminated triple-quoted string literal at "
                           "column 2"},
        {"1 +", "invalid syntax at column 4: unexpected end of input"},
        {"", "invalid syntax at column 1: unexpected end of input"},
        {"   ", "invalid syntax at column 4: unexpected end of input"},
        {"# only a comment", "invalid syntax at column 17: unexpected end "
                             "of input"},
        {"1 2", "invalid syntax at column 3: unexpected '2'"},
        {"1 'a'", "invalid syntax at column 3: unexpected string literal"},
        {"1 == 2", "invalid syntax at column 3: unexpected '=='"},
        {"a = 1", "invalid syntax at column 3: unexpected '='"},
        {"x.y", "invalid syntax at column 2: unexpected '.'"},
        {"1 +* 2", "invalid syntax at column 4: unexpected '*'"},
        {"**2", "invalid syntax at column 1: unexpected '**'"},
        {"~1", "invalid syntax at column 1: unexpected '~'"},
        {"not x", "invalid syntax at column 1: unexpected 'not'"},
        {"and", "invalid syntax at column 1: unexpected 'and'"},
        {"1 if 2 else 3", "invalid syntax at column 3: unexpected 'if'"},
        {"lambda: 1", "invalid syntax at column 1: unexpected 'lambda'"},
        {"[x for x in l]", "invalid syntax at column 4: unexpected 'for'"},
        {"(1, 2)", "tuples are not supported at column 3"},
        {"()", "tuples are not supported at column 1"},
        {"1, 2", "invalid syntax at column 2: unexpected ','"},
        {"{1, 2}", "sets are not supported at column 3"},
        {"{1}", "sets are not supported at column 3"},
        {"{1: 2, 3}", "invalid syntax at column 9: unexpected '}'"},
        {"l[1:2]", "slices are not supported at column 4"},
        {"[1,,2]", "invalid syntax at column 4: unexpected ','"},
        {"[,]", "invalid syntax at column 2: unexpected ','"},
        {"f(x=1)", "invalid syntax at column 4: unexpected '='"},
        {"len(*l)", "invalid syntax at column 5: unexpected '*'"},
        {"1 +\n2", "invalid syntax at column 4: unexpected end of line"},
        {"1\n2", "invalid syntax at line 2, column 1: unexpected '2'"},
        {"[1,\n 2,\n )",
         "closing parenthesis ')' at line 3, column 2 does not match "
         "opening parenthesis '[' at column 1"},
        {"[1,\n 2 +]", "invalid syntax at line 2, column 5: unexpected ']'"},
        {"'h\xc3\xa9' +", "invalid syntax at column 7: unexpected end of "
                          "input"},
        {"012", "leading zeros in decimal integer literals are not "
                "permitted; use an 0o prefix for octal integers at column 1"},
        {"1__0", "invalid decimal literal at column 3"},
        {"1_", "invalid decimal literal at column 3"},
        {"1a", "invalid decimal literal at column 2"},
        {"1e", "invalid decimal literal at column 2"},
        {"1e+", "invalid decimal literal at column 4"},
        {"1.5_", "invalid decimal literal at column 5"},
        {"0x", "invalid hexadecimal literal at column 3"},
        {"0xg", "invalid hexadecimal literal at column 3"},
        {"0x1g", "invalid hexadecimal literal at column 4"},
        {"0b12", "invalid digit '2' in binary literal at column 4"},
        {"0b", "invalid binary literal at column 3"},
        {"0o8", "invalid digit '8' in octal literal at column 3"},
        {"0o", "invalid octal literal at column 3"},
        {"1j", "complex number literals are not supported at column 1"},
        {"b'x'", "unsupported string prefix 'b' at column 1: bytes and "
                 "f-strings are not part of the language"},
        {"f'{x}'", "unsupported string prefix 'f' at column 1: bytes and "
                   "f-strings are not part of the language"},
        {"1 + Rb'x'", "unsupported string prefix 'Rb' at column 5: bytes "
                      "and f-strings are not part of the language"},
        {"'\\x4'", "truncated \\xXX escape at column 2"},
        {"'\\u12'", "truncated \\uXXXX escape at column 2"},
        {"'\\U0000123'", "truncated \\UXXXXXXXX escape at column 2"},
        {"'\\U0011ffff'", "illegal Unicode character at column 2"},
        {"'ab\\ud800'", "invalid escape at column 4: a surrogate code point "
                        "cannot be encoded in UTF-8"},
        {"'\\N{DASH}'", "\\N{...} escapes are not supported at column 2"},
        {"$", "invalid syntax at column 1: unexpected '$'"},
        {"x ? y", "invalid syntax at column 3: unexpected '?'"},
        {"\xe2\x82\xac", "invalid character '\xe2\x82\xac' (U+20AC) at "
                         "column 1"},
        {"1 + \xc3\xa9", "invalid character '\xc3\xa9' (U+00E9) at column 5"},
        {"1 + \x01", "invalid non-printable character U+0001 at column 5"},
        {"'a' + \xff", "invalid UTF-8 byte 0xff at column 7"},
        {"1 \\ 2", "invalid syntax at column 4: unexpected character after "
                   "line continuation character"},
        {"1 +\\", "invalid syntax at column 4: unexpected end of input after "
                  "line continuation character"},
        {"1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "invalid syntax at column 3: unexpected "
         "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"},
        /* A syntax error anywhere wins over a runtime error before it. */
        {"1/0 + (", "'(' was never closed at column 7"},
        {"undefined +", "invalid syntax at column 12: unexpected end of "
                        "input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[1200];
        snprintf(want, sizeof want, "SyntaxError: %s", cases[i].want);
        check(vars, cases[i].src, want);
    }
    /* A NUL byte is a character like any other control character. */
    char got[256];
    eval_to(vars, "1 + \0", 5, got, sizeof got);
    assert_string_equal(got, "SyntaxError: invalid non-printable character "
                             "U+0000 at column 5");
}

/* ---- runtime errors kiln words itself -------------------------------- */

static void test_kiln_errors(void **state)
{
    const kiln_vars *vars = *state;
    check(vars, "'%d' % 5", "TypeError: str % formatting is not supported");
    check(vars, "9223372036854775807 + 1",
          "OverflowError: int overflow: 9223372036854775807 + 1 does not fit "
          "in 64 bits");
    check(vars, "2 ** 64",
          "OverflowError: int overflow: 2 ** 64 does not fit in 64 bits");
    check(vars, "-neg",
          "OverflowError: int overflow: -(-9223372036854775808) does not fit "
          "in 64 bits");
    check(vars, "99999999999999999999",
          "OverflowError: int literal 99999999999999999999 does not fit in "
          "64 bits");
    check(vars, "int(1e19)",
          "OverflowError: int overflow: 1e+19 does not fit in 64 bits");
    check(vars, "(-8) ** (1/3)",
          "ValueError: negative number cannot be raised to a fractional "
          "power");
    check(vars, "len", "TypeError: len is a builtin function: call it, as in "
                       "len(...)");
    check(vars, "str(1, 2)", "TypeError: str() takes at most 1 argument (2 "
                             "given)");
    check(vars, "'a' * 2000000000",
          "MemoryError: cannot make a str of 1 x 2000000000 bytes (the limit "
          "is 1073741824)");
    check(vars, "'ab' * 9223372036854775807",
          "MemoryError: cannot make a str of 2 x 9223372036854775807 bytes "
          "(the limit is 1073741824)");
    check(vars, "[1, 2] * 100000000",
          "MemoryError: cannot make a list of 2 x 100000000 items (the limit "
          "is 67108864)");
    check(vars, "'' * 9223372036854775807", "''");
    check(vars, "[] * 9223372036854775807", "[]");
    /* Calling a variable: TypeError, after its arguments are evaluated. */
    check(vars, "x(1/0)", "ZeroDivisionError: division by zero");
    check(vars, "x(1)", "TypeError: 'int' object is not callable");
    check(vars, "None(1)", "TypeError: 'NoneType' object is not callable");
    check(vars, "(1)(2)", "TypeError: 'int' object is not callable");
    check(vars, "[1](2)", "TypeError: 'list' object is not callable");
    check(vars, "nope(1/0)", "NameError: name 'nope' is not defined");
    /* Evaluation order: left operand first. */
    check(vars, "a1 + b1", "NameError: name 'a1' is not defined");
    check(vars, "1/0 + b1", "ZeroDivisionError: division by zero");
    check(vars, "{[1]: 2}", "TypeError: unhashable type: 'list'");
}

/* ---- valid forms the table cannot hold ------------------------------- */

static void test_layout(void **state)
{
    const kiln_vars *vars = *state;
    check(vars, "[1,\n 2]", "[1, 2]");
    check(vars, "(1 +\n 2)", "3");
    check(vars, "{'a':\n\n  1,\n}", "{'a': 1}");
    check(vars, "\n  1 + 2  \n\n", "3");
    check(vars, "\r\n1\r\n", "1");
    check(vars, "1 # comment", "1");
    check(vars, "# c\n1", "1");
    check(vars, "[1, # one\n 2] # list", "[1, 2]");
    check(vars, "1 + \\\n 2", "3");
    check(vars, "'''a\r\nb\rc'''", "'a\\nb\\nc'");
    check(vars, "'a\\\nb'", "'ab'");
    check(vars, "\t1\t", "1");
    check(vars, "x", "5");
    check(vars, "-9223372036854775808", "-9223372036854775808");
    check(vars, "--9223372036854775807", "9223372036854775807");
    check(vars, "-9223372036854775808 ** 1",
          "OverflowError: int literal 9223372036854775808 does not fit in 64 "
          "bits");
    /* No variables at all. */
    char got[128];
    kiln_error err;
    kiln_error_init(&err);
    kiln_value *v = NULL;
    assert_int_equal(kiln_expr_eval("x", 1, NULL, &v, &err), KILN_NAME);
    assert_string_equal(err.message, "name 'x' is not defined");
    eval_to(NULL, "1 + 1", 5, got, sizeof got);
    assert_string_equal(got, "2");
    /* Only len bytes are read. */
    eval_to(NULL, "1 + 1 garbage", 5, got, sizeof got);
    assert_string_equal(got, "2");
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_eval(NULL, 0, NULL, &v, &err), KILN_SYNTAX);
}

static void test_check(void **state)
{
    (void)state;
    kiln_error err;
    size_t off = 999;
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_check("undefined / 0", 13, &off, &err),
                     KILN_OK);
    assert_int_equal(off, 999);
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_check("x + (1", 6, &off, &err), KILN_SYNTAX);
    assert_int_equal(off, 4);
    assert_string_equal(err.message, "'(' was never closed at column 5");
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_check("1 +", 3, &off, &err), KILN_SYNTAX);
    assert_int_equal(off, 3);
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_check("[1,\n 'a", 7, NULL, &err), KILN_SYNTAX);
    assert_string_equal(err.message,
                        "unterminated string literal at line 2, column 2");
    /* The first message wins: a caller's earlier error is kept. */
    kiln_error_init(&err);
    kiln_error_set(&err, KILN_USAGE, "first");
    assert_int_equal(kiln_expr_check(")", 1, NULL, &err), KILN_SYNTAX);
    assert_string_equal(err.message, "first");
    assert_int_equal(kiln_expr_check(")", 1, NULL, NULL), KILN_SYNTAX);
}

/* ---- nesting limits -------------------------------------------------- */

static char *repeat(const char *head, int n, const char *mid, const char *tail,
                    int m)
{
    size_t hl = strlen(head), ml = strlen(mid), tl = strlen(tail);
    char *s = malloc(hl * (size_t)n + ml + tl * (size_t)m + 1);
    assert_non_null(s);
    char *p = s;
    for (int i = 0; i < n; i++, p += hl)
        memcpy(p, head, hl);
    memcpy(p, mid, ml);
    p += ml;
    for (int i = 0; i < m; i++, p += tl)
        memcpy(p, tail, tl);
    *p = '\0';
    return s;
}

static int eval_str(const char *src, char *got, size_t size)
{
    return eval_to(NULL, src, strlen(src), got, size);
}

static void test_depth(void **state)
{
    (void)state;
    char got[1200];
    const int max = KILN_EXPR_MAX_DEPTH;
    /* max - 1 brackets inside the top level fit; one more does not. */
    char *s = repeat("(", max - 1, "7", ")", max - 1);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "7");
    free(s);
    s = repeat("[", max - 1, "1", "]", max - 1);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    free(s);
    s = repeat("(", max, "7", ")", max);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    assert_string_equal(got, "SyntaxError: too deeply nested at column 101: "
                             "more than 100 levels");
    free(s);
    s = repeat("[", 200, "1", "]", 200);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    assert_non_null(strstr(got, "too deeply nested"));
    free(s);
    s = repeat("{'a': ", 200, "1", "}", 200);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    assert_non_null(strstr(got, "too deeply nested"));
    free(s);
    s = repeat("len(", 200, "'x'", ")", 200);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    free(s);
    s = repeat("-", 50, "1", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "1");
    free(s);
    s = repeat("-", 200, "1", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    assert_non_null(strstr(got, "too deeply nested"));
    free(s);
    s = repeat("1 ** ", 50, "1", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "1");
    free(s);
    s = repeat("2 ** ", 200, "2", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    free(s);
    /* Subscript chains are loops, not nesting. */
    s = repeat("", 0, "[[1]]", "[0]", 2);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "1");
    free(s);
}

/* ---- pathological inputs (cmark's pathological_tests in spirit) ------ */

static void test_pathological(void **state)
{
    (void)state;
    char got[1200];
    /* 100k characters of one flat sum: a loop, no recursion. */
    char *s = repeat("1+", 50000, "0", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "50000");
    free(s);
    s = repeat("1.5*", 25000, "1", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "inf");
    free(s);
    /* 10k nested brackets, closed and unclosed, and 100k signs. */
    s = repeat("(", 10000, "1", ")", 10000);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    free(s);
    s = repeat("[", 10000, "", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    free(s);
    s = repeat(")", 10000, "", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    free(s);
    s = repeat("-", 100000, "1", "", 0);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    free(s);
    /* Long literals. */
    s = repeat("", 0, "'", "x", 100000);
    size_t n = strlen(s);
    s = realloc(s, n + 2);
    memcpy(s + n, "'", 2);
    kiln_error err;
    kiln_error_init(&err);
    kiln_value *v = NULL;
    assert_int_equal(kiln_expr_eval(s, n + 1, NULL, &v, &err), KILN_OK);
    assert_int_equal(kiln_value_len(v), 100000);
    kiln_value_unref(v);
    free(s);
    s = repeat("", 0, "'", "x", 100000); /* unterminated */
    assert_int_equal(eval_str(s, got, sizeof got), KILN_SYNTAX);
    assert_string_equal(got, "SyntaxError: unterminated string literal at "
                             "column 1");
    free(s);
    s = repeat("", 0, "1", "0", 100000);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OVERFLOW);
    free(s);
    s = repeat("0.", 1, "", "0", 100000);
    n = strlen(s);
    s = realloc(s, n + 9);
    memcpy(s + n, "1e100005", 9);
    assert_int_equal(eval_str(s, got, sizeof got), KILN_OK);
    assert_string_equal(got, "10000.0");
    free(s);
    /* Concatenation chains stay linear. */
    s = repeat("'ab'+", 30000, "''", "", 0);
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_eval(s, strlen(s), NULL, &v, &err), KILN_OK);
    assert_int_equal(kiln_value_len(v), 60000);
    kiln_value_unref(v);
    free(s);
    s = repeat("[1]+", 20000, "[]", "", 0);
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_eval(s, strlen(s), NULL, &v, &err), KILN_OK);
    assert_int_equal(kiln_value_len(v), 20000);
    kiln_value_unref(v);
    free(s);
    /* A dict literal with thousands of keys. */
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_buf_putc(&b, '{');
    for (int i = 0; i < 10000; i++)
        kiln_buf_printf(&b, "%d: %d, 'k%d': 1, ", i, i, i);
    kiln_buf_puts(&b, "0: 'last'}");
    kiln_error_init(&err);
    assert_int_equal(kiln_expr_eval(b.data, b.len, NULL, &v, &err), KILN_OK);
    assert_int_equal(kiln_value_len(v), 20000);
    kiln_value_unref(v);
    kiln_buf_fini(&b);
    /* Scanning deep input. */
    kiln_lex_state st;
    s = repeat("([{", 10000, "'", "", 0);
    kiln_expr_scan(s, strlen(s), &st);
    assert_int_equal(st.depth, 30000);
    assert_int_equal(st.open_string, '\'');
    free(s);
    s = repeat("(", 10000, "", "]", 10000);
    kiln_expr_scan(s, strlen(s), &st);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.unbalanced, 1);
    free(s);
}

/* A small deterministic fuzz: token soup must never crash, and every
 * result is either a value or a set error. */
static void test_token_soup(void **state)
{
    const kiln_vars *vars = *state;
    static const char *const pieces[] = {
        "1", "0", "-", "+", "*", "/", "//", "%", "**", "(", ")", "[", "]",
        "{", "}", ",", ":", "'a'", "\"b\"", "'''", "x", "s", "l", "d",
        "len", "min", "round", "float", "int", "str", "1.5", "1e308", "0x",
        "\\", "\n", "#", " ", "True", "None", "\xc3\xa9", "'\\x", "9223372036854775807",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    uint64_t seed = 12345;
    kiln_buf b;
    kiln_buf_init(&b);
    for (int iter = 0; iter < 5000; iter++) {
        kiln_buf_clear(&b);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int len = (int)(seed >> 59) + 1;
        for (int k = 0; k < len; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            kiln_buf_puts(&b, pieces[(seed >> 33) % np]);
        }
        kiln_error err;
        kiln_error_init(&err);
        kiln_value *v = NULL;
        int rc = kiln_expr_eval(kiln_buf_str(&b), b.len, vars, &v, &err);
        if (rc == KILN_OK) {
            assert_non_null(v);
            kiln_value_unref(v);
        } else {
            assert_int_equal(err.code, rc);
            assert_true(err.message[0] != '\0');
            assert_null(v);
        }
        kiln_lex_state st;
        kiln_expr_scan(kiln_buf_str(&b), b.len, &st);
        assert_true(st.depth >= 0);
    }
    kiln_buf_fini(&b);
}

/* ---- kiln_expr_scan --------------------------------------------------- */

static void test_scan(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        int depth, open_string, triple, unbalanced;
    } cases[] = {
        {"", 0, 0, 0, 0},
        {"x = 1", 0, 0, 0, 0},
        {"(", 1, 0, 0, 0},
        {"f([{", 3, 0, 0, 0},
        {"f([{}])", 0, 0, 0, 0},
        {"(]", 0, 0, 0, 1},
        {")", 0, 0, 0, 1},
        {"())(", 1, 0, 0, 1},
        {"'abc", 0, '\'', 0, 0},
        {"\"abc", 0, '"', 0, 0},
        {"'''abc\n", 0, '\'', 1, 0},
        {"x = \"\"\"\nline\n", 0, '"', 1, 0},
        {"\"\"\"a\"\"\"", 0, 0, 0, 0},
        {"'''a''' + '''", 0, '\'', 1, 0},
        {"''''", 0, '\'', 1, 0},
        {"''", 0, 0, 0, 0},
        {"'a\\'b", 0, '\'', 0, 0},
        {"'a\\\\'", 0, 0, 0, 0},
        {"'abc\\\n", 0, '\'', 0, 0},
        {"'abc\\", 0, '\'', 0, 0},
        {"r'\\'", 0, '\'', 0, 0},
        {"'abc\nx = (", 1, 0, 0, 1},
        {"# (", 0, 0, 0, 0},
        {"x = [1, 2]  # ]", 0, 0, 0, 0},
        {"'(' + \"[\"", 0, 0, 0, 0},
        {"f(\"a)\", [1,\n", 2, 0, 0, 0},
        {"{'a': '''\n}", 1, '\'', 1, 0},
        {"%magic $x ('", 1, '\'', 0, 0},
        {"'''a\\'''", 0, '\'', 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_lex_state st;
        memset(&st, 0x55, sizeof st); /* every field must be written */
        kiln_expr_scan(cases[i].src, strlen(cases[i].src), &st);
        if (st.depth != cases[i].depth ||
            st.open_string != cases[i].open_string ||
            st.triple != cases[i].triple ||
            st.unbalanced != cases[i].unbalanced)
            fail_msg("scan %s: got %d %d %d %d", cases[i].src, st.depth,
                     st.open_string, st.triple, st.unbalanced);
    }
    /* Only len bytes are read. */
    kiln_lex_state st;
    kiln_expr_scan("((", 1, &st);
    assert_int_equal(st.depth, 1);
}

static void test_identifiers(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"x", 1},        {"_", 1},        {"_a1", 1},      {"A_b", 1},
        {"print", 1},    {"match", 1},    {"case", 1},     {"true", 1},
        {"1a", 0},       {"", 0},         {"a-b", 0},      {"a b", 0},
        {"True", 0},     {"False", 0},    {"None", 0},     {"and", 0},
        {"lambda", 0},   {"async", 0},    {"await", 0},    {"nonlocal", 0},
        {"yield", 0},    {"\xc3\xa9", 0}, {"a\xc3\xa9", 0}, {"$x", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (kiln_is_identifier(cases[i].s, strlen(cases[i].s)) !=
            cases[i].want)
            fail_msg("kiln_is_identifier(%s) != %d", cases[i].s,
                     cases[i].want);
    assert_int_equal(kiln_is_identifier("abc def", 3), 1);
    assert_int_equal(kiln_is_identifier("Trueish", 4), 0);
    assert_int_equal(kiln_is_identifier(NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_python_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiln_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test_setup_teardown(test_token_soup, setup, teardown),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_identifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

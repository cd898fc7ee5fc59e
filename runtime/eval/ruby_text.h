#pragma once

// Ruby's text conversions that rules lean on: String#to_f, String#% (Kernel#format), and
// the class names Ruby's error messages use.

#include <optional>
#include <string>
#include <vector>

#include "eval/value.h"

namespace calm::eval {

/// Ruby's String#to_f: the longest leading decimal number ("12.5kg" -> 12.5, underscores
/// between digits allowed), 0.0 when there is none ("abc", "0x1A" -> 0.0).
double ruby_string_to_f(const std::string& s);

/// Ruby's `fmt % args` (Kernel#format): %d %i %u %f %e %E %g %G %x %X %o %b %s %p %c %%
/// with the flags `-+ 0#`, a width and a precision. Returns the text, or nullopt with
/// Ruby's error in `error` ("too few arguments", "invalid value for Integer(): ...", or
/// an unsupported directive such as `%{name}`).
std::optional<std::string> ruby_format(const std::string& fmt, const std::vector<Value>& args,
                                       std::string& error);

/// Ruby's Time#strftime of a UTC time: the conversions %Y %C %y %m %B %b %h %d %e %j %H
/// %k %I %l %M %S %L %N %p %P %A %a %u %w %Z %z %s %n %t %% and the combinations %F %T %D
/// %R %r %c %x %X, with the flags `-` (no padding), `0`, `_` and a width. Returns nullopt
/// with the directive in `error` for anything else.
std::optional<std::string> ruby_strftime(double seconds, const std::string& format,
                                         std::string& error);

/// The name Ruby's messages give a value's class ("Integer", "String", "nil", "true"; a
/// lattice's type such as "lmax"), as in "comparison of Integer with String failed".
std::string ruby_class_name(const Value& v);

/// Whether Ruby 3.1's class `cls` ("Integer", "String", "Array", "Hash", "Set", "Struct"
/// (a Bud tuple), "NilClass", ...) has the public instance method `m`, its own or
/// Object's; with `cls` empty, whether any of those classes has it. A method Ruby has and
/// calm does not implement is refused; one the value's class lacks is Ruby's NoMethodError,
/// which Bud raises too. (Table: runtime/eval/ruby_methods.inc, scripts/ruby-methods.rb.)
bool ruby_has_method(const std::string& cls, const std::string& m);

/// The class whose methods a value has: ruby_class_name, with nil, true and false as
/// NilClass, TrueClass and FalseClass, a tuple (an Array with columns) as Struct.
std::string ruby_method_class(const Value& v);

/// The message for an integer result beyond 64 bits (calm has no Bignum).
std::string overflow_message(const std::string& what);

/// A Float converted to an Integer the way Ruby's Float#to_i does, or nullopt with Ruby's
/// error in `why` (FloatDomainError for NaN and the infinities, or an overflow).
std::optional<int64_t> float_to_int(double f, std::string& why);

}  // namespace calm::eval

// CliOptions: the option and argument kinds every command declares, built on System.CommandLine so
// that a value is parsed, defaulted and range-checked in one place and a bad one is a parse error
// (exit code ExitCodes.Usage) that names the option: whole numbers with a range, seeds in decimal or
// 0x hex (Numbers.TryParseULong), choices from a fixed list (offered by shell completion too),
// flags, text and paths. Each factory takes the option's name with its dashes, as the user types it.
using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;
using Harness.Core;
using Harness.Gate;

namespace Harness.Cli;

public static class CliOptions
{
    /// <summary>A seed or other unsigned 64-bit number: decimal or 0x hex.</summary>
    public static Option<ulong> Seed(string name, ulong fallback, string description) =>
        new(name)
        {
            Description = $"{description} (decimal or 0x hex)",
            HelpName = "S",
            DefaultValueFactory = _ => fallback,
            CustomParser = r => ParseULong(r, name),
        };

    /// <summary>A whole number in [min, max] with a default.</summary>
    public static Option<int> Int(string name, int fallback, int min, int max, string description, string helpName = "N") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => fallback,
            CustomParser = r => (int)ParseLong(r, name, min, max),
        };

    /// <summary>A whole number in [min, max] that may be left out (then null).</summary>
    public static Option<int?> OptionalInt(string name, int min, int max, string description, string helpName = "N") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => (int)ParseLong(r, name, min, max),
        };

    /// <summary>A 64-bit whole number in [min, max] with a default.</summary>
    public static Option<long> Long(string name, long fallback, long min, long max, string description, string helpName = "N") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => fallback,
            CustomParser = r => ParseLong(r, name, min, max),
        };

    /// <summary>A 64-bit whole number in [min, max] that may be left out (then null).</summary>
    public static Option<long?> OptionalLong(string name, long min, long max, string description, string helpName = "N") =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => ParseLong(r, name, min, max),
        };

    /// <summary>A positive number of seconds (fractions allowed) that may be left out.</summary>
    public static Option<double?> OptionalSeconds(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "T",
            CustomParser = r =>
            {
                string s = r.Tokens[0].Value;
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v)) return v;
                r.AddError($"{name} takes a positive number, not '{s}'");
                return null;
            },
        };

    /// <summary>One of a fixed list of words, with a default; completion offers the list.</summary>
    public static Option<string> Choice(string name, string fallback, string description, params string[] values) =>
        new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join("|", values),
            DefaultValueFactory = _ => fallback,
        }.AcceptOnlyFromAmong(values);

    /// <summary>One of a fixed list of words that may be left out (then null).</summary>
    public static Option<string?> OptionalChoice(string name, string description, params string[] values) =>
        new Option<string?>(name)
        {
            Description = description,
            HelpName = string.Join("|", values),
        }.AcceptOnlyFromAmong(values);

    /// <summary>A flag: present or not (`--name true|false` also works).</summary>
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>Free text (a name, a path) with a default.</summary>
    public static Option<string> Text(string name, string fallback, string description, string helpName) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => fallback,
        };

    /// <summary>Free text (a name, a path) that may be left out (then null).</summary>
    public static Option<string?> OptionalText(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName };

    /// <summary>--shard I/N (GateShard.Parse), default the whole run.</summary>
    public static Option<GateShard> Shard(string description) =>
        new("--shard")
        {
            Description = description,
            HelpName = "I/N",
            DefaultValueFactory = _ => GateShard.All,
            CustomParser = r =>
            {
                try
                {
                    return GateShard.Parse(r.Tokens[0].Value);
                }
                catch (UsageException e)
                {
                    r.AddError(e.Message);
                    return GateShard.All;
                }
            },
        };

    /// <summary>A required positional argument.</summary>
    public static Argument<string> Required(string name, string description) =>
        new(name) { Description = description, HelpName = name, Arity = ArgumentArity.ExactlyOne };

    /// <summary>A positional argument that may be left out (then null).</summary>
    public static Argument<string?> Optional(string name, string description) =>
        new(name) { Description = description, HelpName = name, Arity = ArgumentArity.ZeroOrOne };

    /// <summary>One or more positional arguments.</summary>
    public static Argument<string[]> OneOrMore(string name, string description) =>
        new(name) { Description = description, HelpName = name, Arity = ArgumentArity.OneOrMore };

    /// <summary>Any number of positional arguments (everything after `--` lands here too).</summary>
    public static Argument<string[]> ZeroOrMore(string name, string description) =>
        new(name) { Description = description, HelpName = name, Arity = ArgumentArity.ZeroOrMore };

    /// <summary>Adds arguments, options and subcommands to <paramref name="command"/>, in help order.</summary>
    public static void AddAll(this Command command, params Symbol[] symbols)
    {
        foreach (Symbol symbol in symbols)
        {
            switch (symbol)
            {
                case Argument a: command.Add(a); break;
                case Option o: command.Add(o); break;
                case Command c: command.Add(c); break;
                default: throw new ArgumentException($"cannot add {symbol.GetType().Name} {symbol.Name} to a command", nameof(symbols));
            }
        }
    }

    /// <summary>Offers <paramref name="values"/> to shell completion for a free-text argument
    /// (names the command checks itself, so that an unknown one lists the known ones).</summary>
    public static void Complete(Argument argument, IEnumerable<string> values)
    {
        var items = values.Select(v => new CompletionItem(v)).ToList();
        argument.CompletionSources.Add(_ => items);
    }

    /// <summary>Offers <paramref name="values"/> to shell completion for a free-text option.</summary>
    public static void Complete(Option option, IEnumerable<string> values)
    {
        var items = values.Select(v => new CompletionItem(v)).ToList();
        option.CompletionSources.Add(_ => items);
    }

    private static ulong ParseULong(ArgumentResult r, string name)
    {
        string s = r.Tokens[0].Value;
        if (Numbers.TryParseULong(s, out ulong v)) return v;
        r.AddError($"{name} takes a non-negative whole number (decimal or 0x hex), not '{s}'");
        return 0;
    }

    private static long ParseLong(ArgumentResult r, string name, long min, long max)
    {
        string s = r.Tokens[0].Value;
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
        {
            r.AddError($"{name} takes a whole number, not '{s}'");
            return 0;
        }
        if (v < min || v > max)
        {
            r.AddError($"{name} must be between {min} and {max} (got {v})");
            return 0;
        }
        return v;
    }
}

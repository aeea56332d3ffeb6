// The command line on System.CommandLine (CliApp): every command and subcommand answers -h/--help
// and `harness help ...` with exit 0 and lists its own options; a mistyped command or option is a
// usage error with a "did you mean" suggestion; a bad input file exits BadInput; --version prints
// the informational version; the [suggest] directive completes; `--` passes afl arguments through;
// values are parsed and range-checked by the declared options, never silently ignored.
using System.CommandLine;
using Harness.Cli;
using Harness.Core;
using Harness.Tests.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Cli;

public sealed class CommandLineTests
{
    private static (int Code, string Output) Harness(params string[] args) => HarnessRun.Run(SystemRegistry.Default, args);

    /// <summary>Every command path of the tree ("explore", "golden mmgr replay", ...).</summary>
    public static TheoryData<string> CommandPaths()
    {
        var data = new TheoryData<string>();
        var app = new CliApp(SystemRegistry.Default, TextWriter.Null, TextWriter.Null);
        void Walk(Command c, string prefix)
        {
            string path = prefix.Length == 0 ? c.Name : prefix + " " + c.Name;
            data.Add(path);
            foreach (Command sub in c.Subcommands) Walk(sub, path);
        }
        foreach (Command c in app.Root.Subcommands) Walk(c, "");
        return data;
    }

    private static Command Find(string path)
    {
        Command c = new CliApp(SystemRegistry.Default, TextWriter.Null, TextWriter.Null).Root;
        foreach (string word in path.Split(' ')) c = c.Subcommands.Single(s => s.Name == word);
        return c;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void Every_command_answers_help_and_lists_its_options(string path)
    {
        Command command = Find(path);
        string[] words = path.Split(' ');
        foreach (string[] args in new string[][] { [.. words, "--help"], [.. words, "-h"], ["help", .. words] })
        {
            (int code, string output) = Harness(args);
            Assert.True(code == ExitCodes.Ok, $"{string.Join(' ', args)} exited {code}:\n{output}");
            Assert.Contains("Usage:", output);
            Assert.Contains(command.Description!, output);
            foreach (Option o in command.Options.Where(o => !o.Hidden)) Assert.Contains(o.Name, output);
            foreach (Command sub in command.Subcommands.Where(s => !s.Hidden)) Assert.Contains(sub.Name, output);
            foreach (Argument a in command.Arguments.Where(a => !a.Hidden)) Assert.Contains($"<{a.Name}>", output);
        }
    }

    [Fact]
    public void Root_help_lists_the_commands_and_the_exit_codes()
    {
        (int code, string output) = Harness("--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (string name in new[] { "explore", "fuzz", "gate", "golden", "completion", "help" }) Assert.Contains(name, output);
        Assert.Contains("Exit codes:", output);
        foreach ((int c, string name, _) in ExitCodes.Table) Assert.Contains($"  {c}  {name}", output);
        (int bare, string bareOutput) = Harness();
        Assert.Equal(ExitCodes.Usage, bare);
        Assert.Contains("Exit codes:", bareOutput);
    }

    [Fact]
    public void A_mistyped_option_is_a_usage_error_with_a_suggestion()
    {
        (int code, string output) = Harness("fuzz", "allocator", "--seeed", "3");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("'--seeed' was not matched. Did you mean", output);
        Assert.Contains("\n--seed", output.ReplaceLineEndings("\n"));
        Assert.Contains("harness fuzz --help", output);
    }

    [Fact]
    public void A_mistyped_command_is_a_usage_error_with_a_suggestion()
    {
        (int code, string output) = Harness("explor", "locks/spinlock-mutex");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("'explor' was not matched. Did you mean", output);
        Assert.Contains("explore", output);
    }

    [Theory]
    [InlineData("check", "mmgr", "--bogus")]                 // an unknown option is never ignored
    [InlineData("gate", "--scale", "0")]                     // out of range
    [InlineData("explore", "locks/spinlock-mutex", "--seed", "-1")]   // not a seed
    [InlineData("explore", "locks/spinlock-mutex", "--spin", "spinning")]   // not a choice
    [InlineData("check")]                                    // a required argument is missing
    [InlineData("golden", "mmgr")]                           // a subcommand is missing
    [InlineData("systems", "extra")]                         // an argument too many
    public void Malformed_command_lines_exit_with_the_usage_code(params string[] args)
    {
        (int code, string output) = Harness(args);
        Assert.True(code == ExitCodes.Usage, $"{string.Join(' ', args)} exited {code}:\n{output}");
    }

    [Fact]
    public void Range_errors_name_the_option_and_its_bounds()
    {
        (int code, string output) = Harness("gate", "--scale", "0");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--scale must be between 1 and 1000 (got 0)", output);
    }

    [Fact]
    public void Seeds_are_decimal_or_hex()
    {
        var app = new CliApp(SystemRegistry.Default, TextWriter.Null, TextWriter.Null);
        ParseResult hex = app.Root.Parse(["check", "mmgr", "--seed", "0x10"]);
        Assert.Empty(hex.Errors);
        Assert.Equal(16UL, hex.GetValue<ulong>("--seed"));
        ParseResult dec = app.Root.Parse(["check", "mmgr", "--seed=17"]);
        Assert.Empty(dec.Errors);
        Assert.Equal(17UL, dec.GetValue<ulong>("--seed"));
    }

    [Fact]
    public void Afl_arguments_after_the_double_dash_pass_through()
    {
        var app = new CliApp(SystemRegistry.Default, TextWriter.Null, TextWriter.Null);
        ParseResult r = app.Root.Parse(["afl", "mmgr", "--seconds", "5", "--", "-m", "none", "--run"]);
        Assert.Empty(r.Errors);
        Assert.Equal(["-m", "none", "--run"], r.GetValue<string[]>("afl-args")!);
        Assert.False(r.GetValue<bool>("--run"));   // after --, --run is afl's argument, not ours
    }

    [Fact]
    public void A_bad_input_file_exits_with_the_bad_input_code()
    {
        string dir = TempDir.Create();
        try
        {
            string artifact = Path.Combine(dir, "broken.json");
            File.WriteAllText(artifact, "{\"format\": 1, \"engine\": ");   // cut off mid-write
            (int code, string output) = Harness("repro", artifact);
            Assert.True(code == ExitCodes.BadInput, output);
            Assert.Contains("harness repro: ", output);
            (code, output) = Harness("report", Path.Combine(dir, "no-such-run"));
            Assert.True(code == ExitCodes.BadInput, output);
            Assert.Contains("no such folder or file", output);
            (code, output) = Harness("diff", "mmgr", "--pg-source", Path.Combine(dir, "no-such-tree"), "--out", dir);
            Assert.True(code == ExitCodes.BadInput, output);
            Assert.Contains("--pg-source", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Version_prints_the_informational_version()
    {
        (int code, string output) = Harness("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(CliApp.Version, output.Trim());
        Assert.NotEqual("unknown", CliApp.Version);
    }

    [Fact]
    public void The_suggest_directive_completes_commands_options_and_scenarios()
    {
        (int code, string output) = Suggest("ex");
        Assert.Equal(ExitCodes.Ok, code);
        string[] lines = output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("explore", lines);
        Assert.DoesNotContain("fuzz", lines);
        (_, output) = Suggest("explore --spin ");
        Assert.Contains("yielding", output);
        (_, output) = Suggest("explore locks");
        Assert.Contains("locks/spinlock-mutex", output);
    }

    /// <summary>What a shell asks with the cursor at the end of <paramref name="line"/>.</summary>
    private static (int Code, string Output) Suggest(string line) => Harness($"[suggest:{line.Length}]", line);

    [Theory]
    [InlineData("bash", "complete -o default -F _harness_complete harness")]
    [InlineData("zsh", "compdef _harness_complete harness")]
    public void Completion_prints_a_script_that_asks_the_suggest_directive(string shell, string registers)
    {
        (int code, string output) = Harness("completion", shell);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains(registers, output);
        Assert.Contains("\"[suggest:", output);
    }

    [Fact]
    public void The_readme_table_is_the_exit_code_table()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot.Find(), "README.md"));
        foreach ((int c, string name, string meaning) in ExitCodes.Table) Assert.Contains($"| {c} | {name} | {meaning} |", readme);
    }

    [Fact]
    public void Every_command_line_in_the_readme_parses()
    {
        var app = new CliApp(SystemRegistry.Default, TextWriter.Null, TextWriter.Null);
        int seen = 0;
        foreach (string raw in File.ReadLines(Path.Combine(RepoRoot.Find(), "README.md")))
        {
            string line = raw.TrimStart('$', ' ');
            if (!line.StartsWith("harness ", StringComparison.Ordinal)) continue;
            int comment = line.IndexOf(" #", StringComparison.Ordinal);
            string[] words = (comment < 0 ? line : line[..comment]).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            ParseResult r = app.Root.Parse(words);
            Assert.True(r.Errors.Count == 0, $"README: {line}\n{string.Join("\n", r.Errors.Select(e => e.Message))}");
            seen++;
        }
        Assert.True(seen > 20, $"only {seen} harness command lines found in the README");
    }
}

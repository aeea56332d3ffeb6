// Directed runs of the buffer-manager runner: each shows one thing the model and the port must
// agree on (values through eviction, the ERRORs the model predicts, durability across a crash,
// pins at the end), and that a run is a function of its ops.
using Harness.Core;
using Harness.Systems.Buffers.Oracle;
using Harness.Systems.Buffers.Properties;
using Xunit;

namespace Harness.Tests.Systems.Buffers;

public sealed class BufferRunnerTests
{
    private static BufferRunResult Run(string ops, BufferWorkload? w = null, bool checking = true, StringWriter? trace = null) =>
        new BufferRunner(new BufferRunOptions(w ?? BufferProperties.Workload, checking)).Run(BufferOpText.Instance.ParseLines(ops), trace);

    private static void Ok(string ops, BufferWorkload? w = null)
    {
        var trace = new StringWriter();
        BufferRunResult r = Run(ops, w, trace: trace);
        Assert.True(r.Outcome.Kind == OutcomeKind.Ok, $"{r.Outcome}\n{trace}");
    }

    [Fact]
    public void A_modified_page_keeps_its_value_through_eviction()
    {
        // 6 buffers, 8 other pages read after the write: the dirty page is a victim, written, re-read
        Ok("""
            b0 read r1/0
            b0 modify #0 = 4242
            b0 hint #0 = 9
            b0 release #0
            b1 read r1/1
            b1 release #0
            b1 read r1/2
            b1 release #0
            b1 read r1/3
            b1 release #0
            b1 read r1/4
            b1 release #0
            b1 read r1/5
            b1 release #0
            b1 read r0/0
            b1 release #0
            b1 read r0/1
            b1 release #0
            b1 read r0/2
            b1 release #0
            b2 read r1/0
            b2 inspect #0
            """);
    }

    [Fact]
    public void Every_buffer_pinned_means_no_unpinned_buffers_available()
    {
        Ok("""
            b0 read r1/0
            b0 read r1/1
            b1 read r1/2
            b1 read r1/3
            b2 read r1/4
            b2 read r1/5
            b0 read r0/0
            b0 read r0/1
            """);
    }

    [Fact]
    public void A_read_beyond_the_end_fails_and_aborts_the_transaction()
    {
        var trace = new StringWriter();
        BufferRunResult r = Run("""
            b0 read r2/0
            b0 read r2/5
            b0 read r2/1
            """, trace: trace);
        Assert.Equal(OutcomeKind.Ok, r.Outcome.Kind);
        Assert.Equal(1, r.Errors);
        Assert.Contains("ERROR (expected)", trace.ToString());
    }

    [Fact]
    public void Committed_writes_survive_a_crash_and_unlogged_relations_are_reset()
    {
        var trace = new StringWriter();
        BufferRunResult r = Run("""
            b0 read r0/1
            b0 modify #0 = 77
            b0 read r2/0
            b0 modify #1 = 88
            b0 commit
            b1 read r0/2
            b1 modify #0 = 99
            crash
            b0 read r0/1
            b0 inspect #0
            b0 read r2/0
            """, trace: trace);
        Assert.Equal(OutcomeKind.Ok, r.Outcome.Kind);
        Assert.Equal(1, r.Crashes);
        Assert.Equal(1, r.Errors);   // r2 is empty after the crash: reading block 0 fails
    }

    [Fact]
    public void Write_errors_abort_and_keep_the_page_dirty()
    {
        Ok("""
            b0 read r0/0
            b0 modify #0 = 5
            fault write-error
            b0 flush #0
            b1 read r0/0
            b1 inspect #0
            b1 flush #0
            b1 release #0
            crash
            """);
    }

    [Fact]
    public void A_run_is_a_function_of_its_ops()
    {
        var rng = new Allocator.Common.Prng(5);
        var bytes = new byte[4 + 4 * 80];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.Index(256);
        string ops = string.Join('\n', Harness.Systems.Buffers.Fuzz.BufferCodec.Decode(bytes, 80).Ops.Select(o => o.ToString()));
        var t1 = new StringWriter();
        var t2 = new StringWriter();
        BufferRunResult a = Run(ops, trace: t1), b = Run(ops, trace: t2);
        Assert.Equal(a, b);
        Assert.Equal(t1.ToString(), t2.ToString());
    }
}

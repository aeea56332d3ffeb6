// BufferRunner.Check: what the runner checks between operations and at the end (the pool's
// invariants, the pins each backend holds), and the power-loss procedure with its durability check.
using Allocator.Buffers;
using Allocator.Storage;
using Harness.Core;
using Models.Buffers;

namespace Harness.Systems.Buffers.Oracle;

public sealed partial class BufferRunner
{
    private IReadOnlyList<BufMgr> AllBackends() => [.. _backends, _aux];

    /// <summary>§19 over the whole pool (every operation boundary is quiescent here).</summary>
    private void CheckPool(int step, BufferOp op)
    {
        List<string> violations = BufMgrCheck.Check(_pool!, AllBackends(), quiescent: true);
        if (violations.Count == 0) return;
        string first = violations[0];
        int space = first.IndexOfAny([' ', ':']);
        string id = space > 0 ? first[..space] : first;
        throw Fail(OutcomeKind.InvariantFailed, step, id, $"after {op}: {first}" + (violations.Count > 1 ? $" (+{violations.Count - 1} more)" : ""));
    }

    /// <summary>W1, write-ahead logging as storage sees it: no page of a WAL-logged relation is on disk
    /// with an LSN beyond the flushed WAL (FlushBuffer flushes WAL up to the page's LSN first).
    /// Checked after every operation in checking mode and before every crash.</summary>
    private void CheckWalBeforeData(int step, BufferOp op)
    {
        ulong flushed = _wal.FlushedLsn;
        for (int r = 0; r < BufferWorkload.RelationCount; r++)
        {
            if (!BufferWorkload.Relations[r].Permanent) continue;
            RelFileLocator l = BufferWorkload.Relations[r].Locator;
            uint n = _storage.Nblocks(l, ForkNumber.MAIN_FORKNUM);
            for (uint blk = 0; blk < n; blk++)
            {
                ulong lsn = PageHeader.PageGetLSN(_storage.PeekBlock(l, ForkNumber.MAIN_FORKNUM, blk));
                if (lsn > flushed)
                    throw Fail(OutcomeKind.InvariantFailed, step, "W1", $"after {op}: page r{r}/{blk} is on disk with LSN {SimWal.Format(lsn)}, beyond the flushed WAL {SimWal.Format(flushed)}");
            }
        }
    }

    /// <summary>Each backend's private refcounts are exactly the pins the model says it holds: a pin
    /// the port kept or lost is reported at the operation that did it.</summary>
    // CheckPins' two maps, emptied for each backend and kept across ops and runs (it runs after
    // every op, for every backend). A cleared Dictionary enumerates in insertion order as a new
    // one does, so the first disagreement reported is the same.
    private readonly Dictionary<int, int> _expectedPins = new(), _actualPins = new();

    private void CheckPins(int step, BufferOp op)
    {
        for (int b = 0; b < W.Backends; b++)
        {
            Dictionary<int, int> expected = _expectedPins;
            expected.Clear();
            foreach (int buf in _buffers[b]) expected[buf] = expected.GetValueOrDefault(buf) + 1;
            Dictionary<int, int> actual = _actualPins;
            actual.Clear();
            foreach (PrivateRefCountEntry e in _backends[b].Pins.Refs.Entries()) actual[e.buffer] = e.refcount;
            foreach ((int buf, int n) in expected)
                if (actual.GetValueOrDefault(buf) != n)
                    throw Fail(OutcomeKind.Leak, step, $"{Name(op)}/pin-count", $"after {op}: b{b} holds {actual.GetValueOrDefault(buf)} pins on buffer {buf}; the model says {n}");
            foreach ((int buf, int n) in actual)
                if (!expected.ContainsKey(buf))
                    throw Fail(OutcomeKind.Leak, step, $"{Name(op)}/pin-leak", $"after {op}: b{b} still holds {n} pins on buffer {buf}, which it released or never asked for");
        }
        if (_aux.Pins.Refs.Entries().Any())
            throw Fail(OutcomeKind.Leak, step, $"{Name(op)}/aux-pin-leak", $"after {op}: the checkpointer/bgwriter backend still holds a pin");
    }

    /// <summary>Every backend commits (releasing what it holds); nothing may be left pinned.</summary>
    private void EndOfRun(int step)
    {
        for (int b = 0; b < W.Backends; b++)
        {
            var commit = new BufferOp(BufferOpCode.Commit, b);
            RunOp(step, commit);
            CheckPins(step, commit);
        }
        if (_options.Checking) CheckPool(step, new BufferOp(BufferOpCode.Commit));
        for (int id = 0; id < W.NBuffers; id++)
        {
            uint state = _pool!.InitMemory.ReadU32(_pool.Descriptors.GetBufferDescriptor(id).StateAddr);
            if (BufferConstants.BUF_STATE_GET_REFCOUNT(state) != 0)
                throw Fail(OutcomeKind.Leak, step, "end/shared-pin", $"buffer {id + 1} has refcount {BufferConstants.BUF_STATE_GET_REFCOUNT(state)} after every backend committed");
        }
    }

    /// <summary>Power loss: everything in shared memory is gone, WAL after the flush point is gone;
    /// recovery replays the flushed WAL and resets unlogged relations; then every page on disk must
    /// be intact and hold one of the values the model allows.</summary>
    private void CrashAndRecover(int step, BufferOp op)
    {
        _crashes++;
        CheckWalBeforeData(step, op);
        _faults.ArmNextFitting(StorageFaultKind.None);   // a fault armed for the dead pool dies with it
        _wal.Crash();
        _wal.Redo(_storage);
        for (int r = 0; r < BufferWorkload.RelationCount; r++)
            if (!BufferWorkload.Relations[r].Permanent) TruncateStorage(r, 0);
        _model.Crash();
        StartPool();
        for (int r = 0; r < BufferWorkload.RelationCount; r++)
        {
            RelFileLocator l = BufferWorkload.Relations[r].Locator;
            uint onDisk = _storage.Nblocks(l, ForkNumber.MAIN_FORKNUM);
            if (onDisk > _model.NBlocks(r))
                throw Fail(OutcomeKind.ModelMismatch, step, "crash/size", $"after recovery r{r} has {onDisk} blocks; it never had more than {_model.NBlocks(r)}");
            // File extension is not WAL-logged: blocks added after a (replayed) truncation vanish
            // again when nothing in them reached the WAL. A block that held a durable value must not.
            for (uint blk = onDisk; blk < _model.NBlocks(r); blk++)
            {
                var lost = new PageKey(r, blk);
                if (!_model.CrashCandidates(lost).Contains(0UL))
                    throw Fail(OutcomeKind.ModelMismatch, step, "crash/lost-block",
                        $"after recovery r{r} has {onDisk} blocks; block {blk} held a durable value (one of [{string.Join(", ", _model.CrashCandidates(lost))}])");
            }
            _model.Truncate(r, onDisk);
        }
        foreach (PageKey p in _model.AllPages().ToList())
        {
            byte[] page = _storage.PeekBlock(BufferWorkload.Relations[p.Rel].Locator, ForkNumber.MAIN_FORKNUM, p.Block);
            if (!PageChecksum.PageIsVerified(page, p.Block, _storage.ChecksumsEnabled, out bool checksumFailure))
                throw Fail(OutcomeKind.ModelMismatch, step, "crash/damaged-page", $"after recovery page {p} fails verification{(checksumFailure ? " (checksum)" : "")}");
            ulong value = PageHeader.IsAllZeros(page) ? 0 : BitConverter.ToUInt64(page, OffValue);
            if (!_model.Recovered(p, value))
                throw Fail(OutcomeKind.ModelMismatch, step, "crash/lost-write",
                    $"after recovery page {p} holds {value}; a crash may leave only one of [{string.Join(", ", _model.CrashCandidates(p))}]");
        }
        Trace(step, op, "recovered");
        Reach.Hit(BuffersReach.CrashRecovered);
    }
}

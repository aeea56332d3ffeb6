// BufferRunner.Ops: each operation on the port and the model, with its preconditions, the ERRORs
// the model predicts, and the exceptions of the port turned into outcomes.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Core;
using Models.Buffers;

namespace Harness.Systems.Buffers.Oracle;

public sealed partial class BufferRunner
{
    private void RunOp(int step, BufferOp op)
    {
        int injectedBefore = _faults.Injected.Count;
        // a buffer allocation with nothing on the freelist is a clock-sweep victim (StrategyGetBuffer)
        // (the same pool: a crash inside the op starts a new one)
        BufferPool pool = _pool!;
        bool freelistEmpty = pool.Strategy.FirstFreeBuffer(pool.InitMemory) == BufferConstants.FREENEXT_END_OF_LIST;
        uint allocs = pool.Strategy.NumBufferAllocs(pool.InitMemory);
        try
        {
            Dispatch(step, op);
            if (freelistEmpty && ReferenceEquals(_pool, pool) && pool.Strategy.NumBufferAllocs(pool.InitMemory) != allocs) Reach.Hit(BuffersReach.VictimEvicted);
        }
        catch (PgErrorException e)
        {
            // ERRORs the model predicted were handled inside the op; what gets here is either a
            // failure an injected fault explains, or a finding.
            if (_faults.Injected.Count == injectedBefore)
                throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/unexpected-error", $"ERROR \"{e.Message}\" with no fault injected; the model expects success");
            Trace(step, op, $"ERROR (injected fault): {e.Message}");
            Reach.Hit(BuffersReach.IoErrorAborted);
            AbortBackend(step, op, OwnerOf(op));
        }
        catch (SimCrashException e)
        {
            Trace(step, op, e.Message);
            CrashAndRecover(step, op);
        }
        catch (SimBlockedException e)
        {
            throw Fail(OutcomeKind.Deadlock, step, $"{Name(op)}/blocked", $"b{op.Backend} {e.Message}");
        }
        catch (AssertionFailureException e)
        {
            throw Fail(OutcomeKind.InvariantFailed, step, $"{Name(op)}/assert", e.Message);
        }
        catch (SimFaultException e)
        {
            throw Fail(OutcomeKind.Fault, step, $"{Name(op)}/fault", e.Message);
        }
        catch (PgFatalException e)
        {
            throw Fail(OutcomeKind.Crash, step, $"{Name(op)}/fatal", e.Message);
        }
        catch (RunFailure)
        {
            throw;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException or KeyNotFoundException)
        {
            throw Fail(OutcomeKind.Crash, step, $"{Name(op)}/host-exception", $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The backend whose transaction an ERROR in this op aborts.</summary>
    private BufMgr OwnerOf(BufferOp op) => op.Code is BufferOpCode.Checkpoint or BufferOpCode.BgWriter ? _aux : _backends[op.Backend];

    private void AbortBackend(int step, BufferOp op, BufMgr who)
    {
        _errors++;
        who.AbortCurrentTransaction();
        if (who != _aux)
        {
            _model.Abort(op.Backend);
            _policy?.ReleaseAll(op.Backend);
            _buffers[op.Backend].Clear();
        }
        _ = step;
    }

    /// <summary>An ERROR the model predicted: the message must match, then the transaction aborts.</summary>
    private void ExpectedError(int step, BufferOp op, string expected, Action call)
    {
        int injectedBefore = _faults.Injected.Count;
        try
        {
            call();
        }
        catch (PgErrorException e)
        {
            // an injected fault may strike first (a victim's write, the read itself): any ERROR then
            bool match = _faults.Injected.Count != injectedBefore
                || (expected == "beyond-eof"
                    ? e.Message.StartsWith("could not read block", StringComparison.Ordinal) && e.Message.Contains("read only 0 of", StringComparison.Ordinal)
                    : e.Message == expected);
            if (!match)
                throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/wrong-error", $"ERROR \"{e.Message}\"; expected {Describe(expected)}");
            Trace(step, op, $"ERROR (expected): {e.Message}");
            if (_faults.Injected.Count != injectedBefore) Reach.Hit(BuffersReach.IoErrorAborted);
            else if (expected == e.Message && expected.StartsWith("no unpinned buffers", StringComparison.Ordinal)) Reach.Hit(BuffersReach.NoUnpinnedBuffers);
            AbortBackend(step, op, _backends[op.Backend]);
            return;
        }
        throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/missing-error", $"succeeded; expected {Describe(expected)}");
    }

    private static string Describe(string expected) => expected == "beyond-eof" ? "a read beyond the end of the relation to fail" : $"ERROR \"{expected}\"";

    private void Dispatch(int step, BufferOp op)
    {
        int b = op.Backend;
        BufMgr port = _backends[b];
        if (_policy is not null && !PolicyFollows(op)) { Skip(step, op, "not followed by the policy oracle"); return; }
        switch (op.Code)
        {
            case BufferOpCode.Read:
            {
                var p = new PageKey(op.Rel, op.Block);
                string? err = _model.ExpectPinError(b, p, mustExist: true);
                ReadBufferMode mode = (op.Mode & 4) != 0 ? ReadBufferMode.RBM_ZERO_ON_ERROR : ReadBufferMode.RBM_NORMAL;
                // a read beyond the end leaves a tagged buffer that never became valid: not followed
                if (_policy is not null && !_model.Exists(p)) { Skip(step, op, "beyond the end: not followed by the policy oracle"); return; }
                BufferAccessStrategy? strategy = Strategy(b, op.Mode & 3);
                PolicyPin? predicted = _policy?.Read(b, p, RingOf(op.Mode & 3));
                PolicyAgreesOnError(step, op, predicted, err);
                if (err is not null)
                {
                    ExpectedError(step, op, err, () => port.ReadBufferExtended(Rel(op.Rel), ForkNumber.MAIN_FORKNUM, op.Block, mode, strategy));
                    return;
                }
                int buf = port.ReadBufferExtended(Rel(op.Rel), ForkNumber.MAIN_FORKNUM, op.Block, mode, strategy);
                PolicyCheckPin(step, op, predicted, buf);
                AddPin(step, op, p, buf);
                Trace(step, op, $"buffer {buf}");
                return;
            }
            case BufferOpCode.ReadZero:
            {
                var p = new PageKey(op.Rel, op.Block);
                bool cleanup = (op.Mode & 1) != 0;
                if (!_model.Exists(p)) { Skip(step, op, "block beyond the end"); return; }
                if (_model.LockHeld(b, p) != LockMode.None) { Skip(step, op, "already locked by this backend"); return; }
                if (!_model.CanLock(b, p, LockMode.Exclusive)) { Skip(step, op, "the exclusive lock would wait"); return; }
                if (cleanup && (_model.PinnedByOthers(b, p) || _model.PinCount(b, p) > 0)) { Skip(step, op, "the cleanup lock would wait"); return; }
                string? err = _model.ExpectPinError(b, p, mustExist: true);
                ReadBufferMode mode = cleanup ? ReadBufferMode.RBM_ZERO_AND_CLEANUP_LOCK : ReadBufferMode.RBM_ZERO_AND_LOCK;
                if (err is not null)
                {
                    ExpectedError(step, op, err, () => port.ReadBufferExtended(Rel(op.Rel), ForkNumber.MAIN_FORKNUM, op.Block, mode, null));
                    return;
                }
                bool validElsewhere = _model.PinnedByOthers(b, p);
                int buf = port.ReadBufferExtended(Rel(op.Rel), ForkNumber.MAIN_FORKNUM, op.Block, mode, null);
                AddPin(step, op, p, buf);
                // A page someone else pins is valid, and a reader holding only a pin may be looking at
                // it: zero-and-lock must lock it, not zero it (PostgreSQL bug fixed in e656657f2b).
                if (validElsewhere && ReadPage(port, buf).Value != _model.Value(p))
                    throw Fail(OutcomeKind.ModelMismatch, step, "read-zero/zeroed-valid-page", $"RBM_ZERO_AND_LOCK zeroed page {p}, valid and pinned by another backend (value {_model.Value(p)})");
                // the page is zeroed and ours: initialise it as redo or a new-page writer would
                WritePage(port, buf, p, op.Value, initialise: true);
                port.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
                _model.Write(p, op.Value);
                _model.WriteHint(p, 0);
                Trace(step, op, $"buffer {buf}");
                return;
            }
            case BufferOpCode.Release:
            {
                if (!PinOf(step, op, out int idx, out PageKey p, out int buf)) return;
                bool lastPin = _model.PinCount(b, p) == 1;
                if (lastPin && _model.LockHeld(b, p) != LockMode.None) port.UnlockReleaseBuffer(buf);
                else port.ReleaseBuffer(buf);
                _model.Unpin(b, idx);
                _buffers[b].RemoveAt(idx);
                _policy?.Unpin(b, buf - 1);
                Trace(step, op, $"released buffer {buf}");
                return;
            }
            case BufferOpCode.Lock:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                LockMode mode = op.Mode == 2 ? LockMode.Exclusive : LockMode.Share;
                if (_model.LockHeld(b, p) != LockMode.None) { Skip(step, op, "already locked by this backend"); return; }
                if (!_model.CanLock(b, p, mode))
                {
                    // the one conditional form PostgreSQL has: exclusive; it must say no
                    if (mode == LockMode.Exclusive && port.ConditionalLockBuffer(buf))
                        throw Fail(OutcomeKind.ModelMismatch, step, "lock/conditional-granted", $"ConditionalLockBuffer({buf}) succeeded while another backend holds the content lock");
                    Skip(step, op, "would wait");
                    return;
                }
                port.LockBuffer(buf, mode == LockMode.Exclusive ? BufferLockMode.BUFFER_LOCK_EXCLUSIVE : BufferLockMode.BUFFER_LOCK_SHARE);
                _model.Lock(b, p, mode);
                Trace(step, op, "locked");
                return;
            }
            case BufferOpCode.Unlock:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                if (_model.LockHeld(b, p) == LockMode.None) { Skip(step, op, "not locked"); return; }
                port.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
                _model.Unlock(b, p);
                Trace(step, op, "unlocked");
                return;
            }
            case BufferOpCode.Modify:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                if (!WithLock(step, op, p, buf, LockMode.Exclusive, () => WritePage(port, buf, p, op.Value, initialise: false))) return;
                _model.Write(p, op.Value);
                _policy?.Modify(buf - 1, Logged(p));
                Trace(step, op, "written");
                return;
            }
            case BufferOpCode.Inspect:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                ulong value = 0;
                uint hint = 0;
                if (!WithLock(step, op, p, buf, LockMode.Share, () => (value, hint) = ReadPage(port, buf))) return;
                if (value != _model.Value(p))
                    throw Fail(OutcomeKind.ModelMismatch, step, "inspect/value", $"page {p} in buffer {buf} holds {value}; expected {_model.Value(p)}");
                uint? h = _model.Hint(p);
                if (h is not null && hint != h)
                    throw Fail(OutcomeKind.ModelMismatch, step, "inspect/hint", $"page {p} in buffer {buf} has hint {hint}; expected {h}");
                Trace(step, op, $"value {value} hint {hint}");
                return;
            }
            case BufferOpCode.Hint:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                // hint bits live in tuples: an uninitialised page (zeros, back from a crash before its
                // first logged change) has none, and a byte written into it would make it invalid
                if (PageHeader.PageIsNew(port.Backend.Memory.ReadSpan(port.BufferGetPage(buf), PageHeader.SizeOfPageHeaderData))) { Skip(step, op, "uninitialised page"); return; }
                if (!WithLock(step, op, p, buf, LockMode.Share, () =>
                    {
                        port.Backend.Memory.WriteU32(port.BufferGetPage(buf) + OffHint, (uint)op.Value);
                        port.MarkBufferDirtyHint(buf, true);
                    })) return;
                _model.WriteHint(p, (uint)op.Value);
                Trace(step, op, "hinted");
                return;
            }
            case BufferOpCode.Flush:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                if (!WithLock(step, op, p, buf, LockMode.Share, () => port.FlushOneBuffer(buf))) return;
                _model.MadeDurable(p);
                _policy?.Flush(buf - 1);
                Trace(step, op, "flushed");
                return;
            }
            case BufferOpCode.Cleanup:
            {
                if (!PinOf(step, op, out _, out PageKey p, out int buf)) return;
                if (_model.PinCount(b, p) != 1 || _model.LockHeld(b, p) != LockMode.None) { Skip(step, op, "needs exactly one pin and no lock"); return; }
                bool expect = !_model.PinnedByOthers(b, p);
                bool got = port.ConditionalLockBufferForCleanup(buf);
                if (got != expect)
                    throw Fail(OutcomeKind.ModelMismatch, step, "cleanup/conditional", $"ConditionalLockBufferForCleanup({buf}) = {got}; expected {expect} (other backends pinning {p}: {!expect})");
                if (got)
                {
                    port.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
                    port.LockBufferForCleanup(buf);   // the only pin: must not wait
                    if (!port.IsBufferCleanupOK(buf))
                        throw Fail(OutcomeKind.ModelMismatch, step, "cleanup/not-ok", $"IsBufferCleanupOK({buf}) is false right after LockBufferForCleanup");
                    port.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
                }
                if (!got) Reach.Hit(BuffersReach.CleanupLockRefused);
                Trace(step, op, got ? "cleanup lock taken and released" : "cleanup lock refused");
                return;
            }
            case BufferOpCode.Extend:
            {
                var p = new PageKey(op.Rel, _model.NBlocks(op.Rel));
                string? err = _model.ExpectPinError(b, p, mustExist: false);
                PolicyPin? predicted = _policy?.Extend(b, p, Logged(p));
                PolicyAgreesOnError(step, op, predicted, err);
                if (err is not null)
                {
                    ExpectedError(step, op, err, () => port.ExtendBufferedRel(Rel(op.Rel), ForkNumber.MAIN_FORKNUM, null, lockFirst: true));
                    return;
                }
                int buf = port.ExtendBufferedRel(Rel(op.Rel), ForkNumber.MAIN_FORKNUM, null, lockFirst: true);
                PolicyCheckPin(step, op, predicted, buf);
                uint blk = port.BufferGetBlockNumber(buf);
                if (blk != p.Block)
                    throw Fail(OutcomeKind.ModelMismatch, step, "extend/block", $"extension returned block {blk}; the relation had {p.Block} blocks");
                _model.Extend(b, op.Rel);
                _buffers[b].Add(buf);
                WritePage(port, buf, p, 0, initialise: true);
                port.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
                CheckSameBuffer(step, op, p, buf);
                Trace(step, op, $"block {blk} in buffer {buf}");
                return;
            }
            case BufferOpCode.Evict:
            {
                var p = new PageKey(op.Rel, op.Block);
                if (!_model.Exists(p)) { Skip(step, op, "no such block"); return; }
                int buf = FindBuffer(Tag(p));
                if (buf == BufferConstants.InvalidBuffer) { Skip(step, op, "not in the pool"); return; }
                bool evicted = port.EvictUnpinnedBuffer(buf);
                if (_policy is not null && _policy.Evict(buf - 1) != evicted)
                    throw Fail(OutcomeKind.ModelMismatch, step, "evict/policy", $"op {step} ({op}): EvictUnpinnedBuffer({buf}) = {evicted}; the policy model says {!evicted}");
                if (evicted && _model.PinnedByAnyone(p))
                    throw Fail(OutcomeKind.ModelMismatch, step, "evict/pinned", $"EvictUnpinnedBuffer({buf}) evicted {p}, which is pinned");
                if (evicted) _model.MadeDurable(p);
                Trace(step, op, evicted ? $"evicted buffer {buf}" : $"buffer {buf} not evicted");
                return;
            }
            case BufferOpCode.Truncate:
            {
                if (_model.AnyPinIn(r => r.Index == op.Rel)) { Skip(step, op, "relation in use"); return; }
                uint n = Math.Min(op.Block, _model.NBlocks(op.Rel));
                TruncateRelation(port, op.Rel, n);
                _model.Truncate(op.Rel, n);
                Trace(step, op, $"{n} blocks");
                return;
            }
            case BufferOpCode.DropDatabase:
            {
                uint db = BufferWorkload.DbOids[op.Rel];
                if (_model.AnyPinIn(r => r.DbOid == db)) { Skip(step, op, "database in use"); return; }
                for (int r = 0; r < BufferWorkload.RelationCount; r++)
                    if (BufferWorkload.Relations[r].Locator.DbOid == db) LogTruncate(r, 0);
                port.DropDatabaseBuffers(db);
                for (int r = 0; r < BufferWorkload.RelationCount; r++)
                {
                    if (BufferWorkload.Relations[r].Locator.DbOid != db) continue;
                    TruncateStorage(r, 0);
                    _model.Truncate(r, 0);
                }
                Trace(step, op, "dropped");
                return;
            }
            case BufferOpCode.FlushRelation:
            {
                // callers hold no lock on it (the content lock is taken in share mode for each page)
                // and no pin of their own (PinBuffer_Locked asserts that the caller has no pin)
                if (_model.AnyLockIn(r => r.Index == op.Rel)) { Skip(step, op, "a page of it is locked"); return; }
                if (_model.Pins(b).Any(p => p.Rel == op.Rel)) { Skip(step, op, "this backend pins a page of it"); return; }
                port.FlushRelationBuffers(Rel(op.Rel));
                _model.MadeDurable(r => r.Index == op.Rel);
                Trace(step, op, "flushed");
                return;
            }
            case BufferOpCode.FlushDatabase:
            {
                uint db = BufferWorkload.DbOids[op.Rel];
                if (_model.AnyLockIn(r => r.DbOid == db)) { Skip(step, op, "a page of it is locked"); return; }
                if (_model.Pins(b).Any(p => BufferWorkload.Relations[p.Rel].Locator.DbOid == db)) { Skip(step, op, "this backend pins a page of it"); return; }
                port.FlushDatabaseBuffers(db);
                _model.MadeDurable(r => r.DbOid == db);
                Trace(step, op, "flushed");
                return;
            }
            case BufferOpCode.Checkpoint:
            {
                if (_model.AnyExclusiveLock) { Skip(step, op, "a page is locked exclusively"); return; }
                bool shutdown = op.Mode == 1;
                var dirtyUnloggedBefore = DirtyPages(permanent: false);
                _aux.BufferSync(shutdown ? BufMgr.CHECKPOINT_IS_SHUTDOWN : 0);
                CheckCheckpointWrites(step, shutdown, dirtyUnloggedBefore);
                if (shutdown) _model.MadeDurable(_ => true);
                else _model.MadeDurable(r => r.Permanent);
                Trace(step, op, "done");
                return;
            }
            case BufferOpCode.BgWriter:
            {
                if (op.Mode is 1 or 2)
                {
                    // the bgwriter's main loop around its sleep: ask to be woken by the next
                    // allocation, or stop asking
                    int procno = op.Mode == 1 ? BgWriterProcNo : -1;
                    Freelist.StrategyNotifyBgWriter(_aux.Backend, _pool!.Strategy, procno);
                    _policy?.NotifyBgWriter(procno);
                    Trace(step, op, $"bgwprocno = {procno}");
                    return;
                }
                if (_model.AnyExclusiveLock) { Skip(step, op, "a page is locked exclusively"); return; }
                bool hibernate = _aux.BgBufferSync();
                Trace(step, op, hibernate ? "may hibernate" : "active");
                return;
            }
            case BufferOpCode.Commit:
            {
                for (int i = _buffers[b].Count - 1; i >= 0; i--)
                {
                    PageKey p = _model.Pins(b)[i];
                    int buf = _buffers[b][i];
                    if (_model.PinCount(b, p) == 1 && _model.LockHeld(b, p) != LockMode.None) port.UnlockReleaseBuffer(buf);
                    else port.ReleaseBuffer(buf);
                    _model.Unpin(b, i);
                    _buffers[b].RemoveAt(i);
                }
                // the commit record's flush makes every WAL record so far durable: redo can rebuild
                // every page of a WAL-logged relation as it is now
                _wal.XLogFlush(_wal.InsertLsn);
                _model.MadeDurable(r => r.Permanent);
                _policy?.ReleaseAll(b);
                _policy?.FlushAllWal();
                int warnings = port.Pins.Elog.Messages.Count;
                try
                {
                    port.AtEOXact_Buffers(true);
                }
                catch (AssertionFailureException e)
                {
                    string leak = port.Pins.Elog.Messages.Skip(warnings).Select(m => m.Text).FirstOrDefault() ?? e.Message;
                    throw Fail(OutcomeKind.Leak, step, "commit/pin-leak", leak);
                }
                Trace(step, op, "committed");
                return;
            }
            case BufferOpCode.Abort:
            {
                port.AbortCurrentTransaction();
                _model.Abort(b);
                _policy?.ReleaseAll(b);
                _buffers[b].Clear();
                Trace(step, op, "aborted");
                return;
            }
            case BufferOpCode.Fault:
            {
                var kind = (StorageFaultKind)op.Mode;
                if (kind is StorageFaultKind.None or StorageFaultKind.BitFlip || kind > StorageFaultKind.Crash) { Skip(step, op, "not a fault the model follows"); return; }
                _faults.ArmNextFitting(kind);
                Trace(step, op, "armed");
                return;
            }
            case BufferOpCode.Crash:
                Trace(step, op, "power loss");
                CrashAndRecover(step, op);
                return;
            default:
                Skip(step, op, "unknown operation");
                return;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static BufferRelation Rel(int index) => BufferWorkload.Relations[index];

    private static BufferTag Tag(PageKey p)
    {
        RelFileLocator l = BufferWorkload.Relations[p.Rel].Locator;
        return new BufferTag(l.SpcOid, l.DbOid, l.RelNumber, ForkNumber.MAIN_FORKNUM, p.Block);
    }

    /// <summary>The pin an op names; false (and a skip) if the backend has none.</summary>
    private bool PinOf(int step, BufferOp op, out int index, out PageKey page, out int buffer)
    {
        IReadOnlyList<PageKey> pins = _model.Pins(op.Backend);
        if (pins.Count == 0)
        {
            Skip(step, op, "no pins");
            index = 0;
            page = default;
            buffer = 0;
            return false;
        }
        index = (int)((uint)op.Pin % (uint)pins.Count);
        page = pins[index];
        buffer = _buffers[op.Backend][index];
        return true;
    }

    private void AddPin(int step, BufferOp op, PageKey p, int buf)
    {
        _model.Pin(op.Backend, p);
        _buffers[op.Backend].Add(buf);
        CheckSameBuffer(step, op, p, buf);
    }

    /// <summary>M1/B14 from the outside: every pin of a page, by anyone, is on the same buffer, and
    /// that buffer carries the page's tag.</summary>
    private void CheckSameBuffer(int step, BufferOp op, PageKey p, int buf)
    {
        BufferTag tag = _backends[op.Backend].BufferGetTag(buf);
        if (!tag.Equals(Tag(p)))
            throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/wrong-tag", $"buffer {buf} pinned for {p} carries tag {tag}");
        for (int b = 0; b < W.Backends; b++)
        {
            IReadOnlyList<PageKey> pins = _model.Pins(b);
            for (int i = 0; i < pins.Count; i++)
                if (pins[i] == p && _buffers[b][i] != buf)
                    throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/two-buffers", $"page {p} is pinned in buffer {buf} and, by b{b}, in buffer {_buffers[b][i]}");
        }
    }

    /// <summary>Runs <paramref name="body"/> holding at least <paramref name="need"/> on the page: the
    /// lock the backend holds, or one taken and released around it. False (a skip) if that would wait.</summary>
    private bool WithLock(int step, BufferOp op, PageKey p, int buf, LockMode need, Action body)
    {
        BufMgr port = _backends[op.Backend];
        LockMode held = _model.LockHeld(op.Backend, p);
        if (held == LockMode.Exclusive || (held == LockMode.Share && need == LockMode.Share))
        {
            body();
            return true;
        }
        if (held != LockMode.None) { Skip(step, op, "holds only a share lock"); return false; }
        if (!_model.CanLock(op.Backend, p, need)) { Skip(step, op, "the lock would wait"); return false; }
        port.LockBuffer(buf, need == LockMode.Exclusive ? BufferLockMode.BUFFER_LOCK_EXCLUSIVE : BufferLockMode.BUFFER_LOCK_SHARE);
        body();
        port.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
        return true;
    }

    /// <summary>The page change a careful access method makes under an exclusive lock: change the
    /// page, MarkBufferDirty, then (for a WAL-logged relation) a full-page-image record whose LSN
    /// goes into the page.</summary>
    private void WritePage(BufMgr port, int buf, PageKey p, ulong value, bool initialise)
    {
        var mem = port.Backend.Memory;
        ulong page = port.BufferGetPage(buf);
        Span<byte> bytes = mem.Span(page, (ulong)W.BlckSz);
        if (initialise)
        {
            bytes.Clear();
            PageHeader.PageInit(bytes);
        }
        else if (PageHeader.PageIsNew(bytes))
        {
            // a page that came back from a crash as zeros: initialise it (no hint can be on it)
            PageHeader.PageInit(bytes);
        }
        mem.WriteU64(page + OffValue, value);
        port.MarkBufferDirty(buf);
        if (BufferWorkload.Relations[p.Rel].Permanent)
        {
            RelFileLocator l = BufferWorkload.Relations[p.Rel].Locator;
            ulong lsn = _wal.XLogInsertFullPageImage(l, ForkNumber.MAIN_FORKNUM, p.Block, bytes);
            PageHeader.PageSetLSN(bytes, lsn);
        }
    }

    /// <summary>The dirty buffers of permanent (or unlogged) relations, as pg_buffercache shows them.</summary>
    private HashSet<int> DirtyPages(bool permanent)
    {
        var set = new HashSet<int>();
        foreach (BufferCacheRow row in PgBufferCache.Rows(_pool!))
        {
            if (row.isdirty != true) continue;
            bool isPermanent = BufferWorkload.Relations.Any(r => r.Permanent && r.Locator.RelNumber == row.relfilenode && r.Locator.DbOid == row.reldatabase);
            if (isPermanent == permanent) set.Add(row.bufferid);
        }
        return set;
    }

    /// <summary>Which pages a checkpoint writes (§10.1): all dirty pages of WAL-logged relations, and
    /// at shutdown every dirty page; a normal checkpoint leaves unlogged pages dirty (PostgreSQL bugs
    /// fixed in 7e4911b2ae, a normal checkpoint writing unlogged pages, and 64e196b6ef, an
    /// end-of-recovery checkpoint skipping them).</summary>
    private void CheckCheckpointWrites(int step, bool shutdown, HashSet<int> dirtyUnloggedBefore)
    {
        HashSet<int> permanentDirty = DirtyPages(permanent: true), unloggedDirty = DirtyPages(permanent: false);
        if (permanentDirty.Count > 0)
            throw Fail(OutcomeKind.ModelMismatch, step, "checkpoint/left-dirty", $"after the checkpoint buffers {string.Join(",", permanentDirty.Order())} of WAL-logged relations are still dirty");
        if (shutdown && unloggedDirty.Count > 0)
            throw Fail(OutcomeKind.ModelMismatch, step, "checkpoint/shutdown-left-dirty", $"after a shutdown checkpoint unlogged buffers {string.Join(",", unloggedDirty.Order())} are still dirty");
        if (!shutdown && !dirtyUnloggedBefore.SetEquals(unloggedDirty))
            throw Fail(OutcomeKind.ModelMismatch, step, "checkpoint/wrote-unlogged", $"a normal checkpoint changed which unlogged buffers are dirty: before {string.Join(",", dirtyUnloggedBefore.Order())}, after {string.Join(",", unloggedDirty.Order())}");
    }

    private (ulong Value, uint Hint) ReadPage(BufMgr port, int buf)
    {
        ulong page = port.BufferGetPage(buf);
        return (port.Backend.Memory.ReadU64(page + OffValue), port.Backend.Memory.ReadU32(page + OffHint));
    }

    /// <summary>The buffer holding <paramref name="tag"/>, found as pg_buffercache finds it (each
    /// header read under its lock), or InvalidBuffer.</summary>
    private int FindBuffer(BufferTag tag)
    {
        foreach (BufferCacheRow row in PgBufferCache.Rows(_pool!))
            if (row.relfilenode == tag.RelNumber && row.reltablespace == tag.SpcOid && row.reldatabase == tag.DbOid
                && row.relforknumber == (short)tag.ForkNum && row.relblocknumber == tag.BlockNum)
                return row.bufferid;
        return BufferConstants.InvalidBuffer;
    }

    /// <summary>RelationTruncate: WAL-log the truncation (flushed: it must be durable before the
    /// file shrinks), drop the buffers from the new end on, shrink the file.</summary>
    private void TruncateRelation(BufMgr port, int rel, uint nblocks)
    {
        LogTruncate(rel, nblocks);
        port.DropRelationBuffers(Rel(rel), [ForkNumber.MAIN_FORKNUM], [nblocks]);
        TruncateStorage(rel, nblocks);
    }

    private void LogTruncate(int rel, uint nblocks)
    {
        if (BufferWorkload.Relations[rel].Permanent)
            _wal.XLogFlush(_wal.XLogInsertTruncate(BufferWorkload.Relations[rel].Locator, ForkNumber.MAIN_FORKNUM, nblocks));
    }

    private void TruncateStorage(int rel, uint nblocks)
    {
        RelFileLocator l = BufferWorkload.Relations[rel].Locator;
        _storage.Truncate(l, ForkNumber.MAIN_FORKNUM, Math.Min(nblocks, _storage.Nblocks(l, ForkNumber.MAIN_FORKNUM)));
    }
}

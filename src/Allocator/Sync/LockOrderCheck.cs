// LockOrderCheck: the lock-ordering and nesting rules of pg-bufmgr-locks.md §18, checked as they
// happen: at every spinlock and LWLock acquire, before every sleep (condition variable, latch) and
// before every storage I/O. PostgreSQL states these rules in comments and README files (and asserts
// a few, e.g. "no spinlock across an LWLock wait" is only a convention); a violation there is a rare
// deadlock or a stuck-spinlock PANIC, here it is an assertion failure at the acquire that breaks the
// rule, naming the rule, the backend and everything it holds.
//
// One instance per backend (SyncBackend.LockOrder). It keeps its own list of held spinlocks (held
// LWLocks are lwlock.c's held_lwlocks, which LWLockBackend already keeps). What an LWLock *is*
// (a mapping partition, a content lock) is the segment's ILockClassifier, set by the system that
// owns the locks (BufferPool names its partitions and content locks); without one every LWLock is
// a plain LWLock and only the generic rules apply.
//
// Checked (rule numbers are §18's):
//   R1  spinlocks are leaves: while holding one, no other spinlock, no LWLock, no sleep, no I/O.
//   R2  mapping partitions only in increasing partition number.
//   R3  while holding a mapping partition: no blocking content-lock acquire, no sleep, no I/O.
//   R8  (I/O waits with MP or SL held): the sleep checks of R1 and R3 cover it.
//   R11 InvalidateBuffer holds no mapping partition (CheckNoneHeld, called by the buffer manager).
//   R12 never a blocking request for an LWLock this backend already holds (an undetected hang).
// Rules 4, 5, 6 and 7 are permissions or the caller's protocol; 9 and 10 are Asserts in bufmgr.c
// itself (BufferPins, LockBufferForCleanup).
#pragma warning disable CA1707 // PostgreSQL's names
using System.Text;
using Allocator.Common;

namespace Allocator.Sync;

/// <summary>What a lock is, for the §18 rules.</summary>
public enum LockClass
{
    /// <summary>A spinlock (buffer header BM_LOCKED, buffer_strategy_lock, freelist and CV mutexes).</summary>
    Spin,
    /// <summary>A buffer mapping partition LWLock; Ordinal is the partition number.</summary>
    MappingPartition,
    /// <summary>A buffer content LWLock; Ordinal is the buffer id.</summary>
    Content,
    /// <summary>Any other LWLock.</summary>
    LWLock,
}

/// <summary>A lock's class, its number within the class (partition number, buffer id; -1 for
/// none) and a name that is already a string (a tranche or lock name), so classifying a lock on
/// every acquire allocates nothing; the readable form is built only for a report.</summary>
public readonly record struct LockIdentity(LockClass Class, int Ordinal, string Name)
{
    public override string ToString() => Class switch
    {
        LockClass.MappingPartition => $"{Name} partition {Ordinal}",
        LockClass.Content => $"content lock of buffer {Ordinal + 1}",
        _ => Name,
    };
}

/// <summary>Names locks for the checker; set on the SyncSegment by the system that owns them.</summary>
public interface ILockClassifier
{
    LockIdentity ClassifyLWLock(LWLock lock_);

    string NameSpinLock(ulong addr);
}

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public sealed class LockOrderCheck
{
    /// <summary>Spinlocks are held for a few instructions, never nested (R1): a handful suffices,
    /// and a violation is reported at the second one anyway.</summary>
    private const int MaxHeldSpin = 4;

    private readonly SyncBackend _b;
    private readonly ulong[] _heldSpin = new ulong[MaxHeldSpin];
    private int _numHeldSpin;

    /// <summary>Whether the rules are checked; on by default (the cost is a few compares per acquire).</summary>
    public bool Enabled { get; set; } = true;

    public LockOrderCheck(SyncBackend b) => _b = b;

    public int NumHeldSpinLocks => _numHeldSpin;

    /// <summary>The i-th spinlock held, oldest first (diagnostics: the lanes view, deadlock reports).</summary>
    public ulong HeldSpinLock(int i) => (uint)i < (uint)_numHeldSpin ? _heldSpin[i] : throw new ArgumentOutOfRangeException(nameof(i));

    /// <summary>What a lock is, by the segment's classifier (diagnostics).</summary>
    public LockIdentity Identify(LWLock lock_) => Classify(lock_);

    /// <summary>A spinlock's name, by the segment's classifier (diagnostics).</summary>
    public string NameSpin(ulong addr) => SpinName(addr);

    /// <summary>Before TAS on a spinlock (S_LOCK, LockBufHdr).</summary>
    public void BeforeSpinAcquire(ulong addr)
    {
        if (!Enabled) return;
        if (_numHeldSpin > 0)
            Violation("R1", $"acquires spinlock {SpinName(addr)} while holding spinlock {SpinName(_heldSpin[_numHeldSpin - 1])}");
    }

    /// <summary>After the spinlock is ours.</summary>
    public void SpinAcquired(ulong addr)
    {
        if (!Enabled) return;
        // R1 was checked before; more than MaxHeldSpin would have failed it long ago.
        Pg.Assert(_numHeldSpin < MaxHeldSpin);
        _heldSpin[_numHeldSpin++] = addr;
    }

    /// <summary>At the releasing store (S_UNLOCK, UnlockBufHdr). Releasing a spinlock this backend
    /// does not hold is a bug of its own: the lock was someone else's.</summary>
    public void SpinReleased(ulong addr)
    {
        if (!Enabled) return;
        for (int i = _numHeldSpin - 1; i >= 0; i--)
        {
            if (_heldSpin[i] != addr) continue;
            for (int j = i; j < _numHeldSpin - 1; j++) _heldSpin[j] = _heldSpin[j + 1];
            _numHeldSpin--;
            return;
        }
        Violation("spinlock-owner", $"releases spinlock {SpinName(addr)}, which it does not hold");
    }

    /// <summary>Before any attempt on an LWLock. <paramref name="blocking"/> is false for
    /// LWLockConditionalAcquire, which never sleeps.</summary>
    public void BeforeLWLockAcquire(LWLock lock_, LWLockMode mode, bool blocking)
    {
        LWLockBackend held = _b.LWLocks;
        // the common case (nothing held) costs two compares: no rule can be broken
        if (!Enabled || (_numHeldSpin == 0 && held.NumHeld == 0)) return;
        LockIdentity want = Classify(lock_);
        if (_numHeldSpin > 0)
            Violation("R1", $"requests {want} {ModeName(mode)} while holding spinlock {SpinName(_heldSpin[_numHeldSpin - 1])}");
        for (int i = 0; i < held.NumHeld; i++)
        {
            LWLock h = held.Held(i).Lock;
            if (h == lock_)
            {
                if (blocking) Violation("R12", $"requests {want} {ModeName(mode)}, which it already holds (it would wait for itself)");
                continue;
            }
            LockIdentity have = Classify(h);
            if (have.Class != LockClass.MappingPartition) continue;
            if (want.Class == LockClass.MappingPartition && want.Ordinal < have.Ordinal)
                Violation("R2", $"requests {want} while holding {have}: mapping partitions must be taken in increasing partition number");
            if (want.Class == LockClass.Content && blocking)
                Violation("R3", $"waits for {want} while holding {have}: a mapping partition is never held across a blocking content-lock acquire");
        }
    }

    /// <summary>Before sleeping (a condition variable, a latch, a wait for a pin count or an I/O).</summary>
    public void BeforeSleep(string what) => BeforeBlocking("sleeps", what);

    /// <summary>Before a storage read or write.</summary>
    public void BeforeIo(string what) => BeforeBlocking("does I/O", what);

    /// <summary>R1 and R3 for anything that may take long or wait for another backend.</summary>
    private void BeforeBlocking(string verb, string what)
    {
        if (!Enabled) return;
        if (_numHeldSpin > 0)
            Violation("R1", $"{verb} ({what}) while holding spinlock {SpinName(_heldSpin[_numHeldSpin - 1])}");
        if (HeldPartition() is LockIdentity p)
            Violation("R3", $"{verb} ({what}) while holding {p}");
    }

    /// <summary>R11 and friends: the caller's precondition that it holds no lock of a class.</summary>
    public void CheckNoneHeld(LockClass cls, string rule, string where)
    {
        if (!Enabled) return;
        if (cls == LockClass.Spin)
        {
            if (_numHeldSpin > 0) Violation(rule, $"enters {where} holding spinlock {SpinName(_heldSpin[0])}");
            return;
        }
        LWLockBackend held = _b.LWLocks;
        for (int i = 0; i < held.NumHeld; i++)
        {
            LockIdentity have = Classify(held.Held(i).Lock);
            if (have.Class == cls) Violation(rule, $"enters {where} holding {have}");
        }
    }

    /// <summary>Error recovery forgets held spinlocks? No: PostgreSQL never raises ERROR with a
    /// spinlock held (§22), so an abort that finds one is itself a violation.</summary>
    public void AtAbort()
    {
        if (!Enabled) return;
        if (_numHeldSpin > 0)
            Violation("R1", $"aborts (ERROR) while holding spinlock {SpinName(_heldSpin[0])}");
    }

    private LockIdentity? HeldPartition()
    {
        LWLockBackend held = _b.LWLocks;
        for (int i = 0; i < held.NumHeld; i++)
        {
            LockIdentity have = Classify(held.Held(i).Lock);
            if (have.Class == LockClass.MappingPartition) return have;
        }
        return null;
    }

    private LockIdentity Classify(LWLock lock_) =>
        _b.Segment.LockClassifier?.ClassifyLWLock(lock_) ?? new LockIdentity(LockClass.LWLock, -1, _b.Segment.LWLockName(lock_));

    private string SpinName(ulong addr) => _b.Segment.LockClassifier?.NameSpinLock(addr) ?? $"spinlock@0x{addr:x}";

    private static string ModeName(LWLockMode mode) => mode == LWLockMode.LW_EXCLUSIVE ? "exclusive" : "shared";

    /// <summary>The site (AssertionFailureException.Condition) is the rule alone, so every
    /// violation of one rule has one signature; the message has the detail.</summary>
    private void Violation(string rule, string what)
    {
        var sb = new StringBuilder();
        sb.Append("backend ").Append(_b.MyProcNumber).Append(' ').Append(what).Append("; holds:");
        LWLockBackend held = _b.LWLocks;
        for (int i = 0; i < held.NumHeld; i++) sb.Append(' ').Append(Classify(held.Held(i).Lock)).Append(',');
        for (int i = 0; i < _numHeldSpin; i++) sb.Append(' ').Append(SpinName(_heldSpin[i])).Append(',');
        if (held.NumHeld == 0 && _numHeldSpin == 0) sb.Append(" nothing");
        else sb.Length--;
        throw new AssertionFailureException(RuleSite(rule), sb.ToString());
    }

    /// <summary>The site text for a rule, e.g. "lock order §18 R2".</summary>
    public static string RuleSite(string rule) => $"lock order §18 {rule}";
}

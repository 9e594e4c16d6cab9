using System.Text;
using System.Text.Json;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Duplicates;

/// <summary><c>Duplicates__ScanEveryHours</c> (0: only when staff ask), <c>Duplicates__MaxPerKey</c>.</summary>
public sealed class DuplicateSettings
{
    public int ScanEveryHours { get; set; } = 24;
    /// <summary>A phone or address shared by more customers than this (a shop, a forwarding service) says nothing about any two of them.</summary>
    public int MaxPerKey { get; set; } = 5;
}

/// <summary>Where the scan is: running or not, when it last finished, what it found, how long it took.</summary>
public sealed record ScanState(bool Running, DateTime? FinishedAt, int Pairs, TimeSpan Took, string? Error);

/// <summary>
/// Finds likely duplicate customers in the background, reading the customers and the addresses sequentially, with
/// memory bounded by a 64-bit hash and a count per distinct key (see <see cref="FindAsync"/>):
/// <list type="bullet">
/// <item>customers: the same folded name (shared by at most 200) with similar emails (same local part, or at most two
/// letters apart); and emails that are the same once dots and +tags are removed for the providers that ignore them
/// (Gmail ignores dots; Gmail, Outlook, iCloud, Fastmail and Proton drop +tags), or the same email on two customers;</item>
/// <item>addresses: the same phone number (its last nine digits, so +44 20… and 020… agree) or the same street address
/// (first line, postcode and country, folded).</item>
/// </list>
/// A key shared by more than <see cref="DuplicateSettings.MaxPerKey"/> customers is ignored. Each pair is scored (the
/// strongest reason, plus 5 for each further one) and written with its reasons; pairs staff dismissed stay dismissed.
/// Runs every <see cref="DuplicateSettings.ScanEveryHours"/> hours on each instance, and when staff ask.
/// </summary>
public sealed class DuplicateFinder(IDbContextFactory<AppDbContext> dbFactory, MergeService merges, IOptions<DuplicateSettings> settings, TimeProvider clock,
    ILogger<DuplicateFinder> logger)
    : BackgroundService
{
    private static readonly HashSet<string> DotlessDomains = ["GMAIL.COM", "GOOGLEMAIL.COM"];
    private static readonly HashSet<string> PlusTagDomains = ["GMAIL.COM", "GOOGLEMAIL.COM", "OUTLOOK.COM", "HOTMAIL.COM", "LIVE.COM", "ICLOUD.COM", "ME.COM",
        "FASTMAIL.COM", "PROTONMAIL.COM", "PROTON.ME"];

    private readonly SemaphoreSlim wake = new(0);
    private readonly Lock gate = new();
    private ScanState state = new(false, null, 0, TimeSpan.Zero, null);

    public ScanState State
    {
        get { lock (gate) { return state; } }
    }

    public event Action? Changed;

    /// <summary>Asks for a scan now (ignored while one runs).</summary>
    public void RequestScan() => wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var every = settings.Value.ScanEveryHours;
        // The first scheduled scan waits a minute, so start-up is not slowed down.
        var next = clock.GetUtcNow().UtcDateTime.AddMinutes(1);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var wait = every <= 0 ? Timeout.InfiniteTimeSpan : next - clock.GetUtcNow().UtcDateTime;
                await wake.WaitAsync(wait == Timeout.InfiniteTimeSpan ? wait : wait < TimeSpan.Zero ? TimeSpan.Zero : wait, stopping);
                await ScanAsync(stopping);
                await merges.ForgetExpiredAsync(stopping);
                next = clock.GetUtcNow().UtcDateTime.AddHours(Math.Max(1, every));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>One whole scan: the pairs it finds replace the last scan's (dismissed pairs stay). Returns the number found.</summary>
    public async Task<int> ScanAsync(CancellationToken ct = default)
    {
        lock (gate)
        {
            if (state.Running)
            {
                return state.Pairs;
            }
            state = state with { Running = true, Error = null };
        }
        Changed?.Invoke();
        var started = clock.GetTimestamp();
        try
        {
            var found = await FindAsync(ct);
            var written = await WriteAsync(found, ct);
            found.Clear();
            ReturnScanMemory();
            lock (gate)
            {
                state = new ScanState(false, clock.GetUtcNow().UtcDateTime, written, clock.GetElapsedTime(started), null);
            }
            logger.LogInformation("Duplicate scan: {Pairs} likely duplicate pairs in {Seconds:N1} s", written, clock.GetElapsedTime(started).TotalSeconds);
            return written;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The duplicate scan failed");
            lock (gate)
            {
                state = state with { Running = false, Error = "The last scan failed; the reason is in the server log." };
            }
            return 0;
        }
        finally
        {
            lock (gate)
            {
                state = state with { Running = false };
            }
            Changed?.Invoke();
        }
    }

    /// <summary>
    /// A scan of a large store builds hash tables of hundreds of megabytes on the large object heap, once a day. The
    /// collector would keep that space committed until a full collection it has no reason to run (measured in the
    /// 30-minute soak of docs/benchmarks.md, "Where the memory went"). One compacting collection after the scan hands
    /// it back to the operating system.
    /// </summary>
    private static void ReturnScanMemory()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>What one pair has going for it, reason by reason (a reason is kept once).</summary>
    private sealed class Evidence
    {
        public List<(int Score, string Reason)> Reasons { get; } = [];

        public void Add(int score, string reason)
        {
            if (!Reasons.Any(r => r.Reason == reason))
            {
                Reasons.Add((score, reason));
            }
        }

        public int Score => Math.Min(99, Reasons.Max(r => r.Score) + 5 * (Reasons.Count - 1));
    }

    /// <summary>
    /// One sequential read of the customers and one of the addresses: each row's keys are kept as 64-bit hashes (with
    /// the email, for comparing within a name) and counted, then the customers of the few keys more than one has are
    /// gathered and paired. Memory: about 60 bytes per customer and 40 per address while the scan runs.
    /// </summary>
    private async Task<Dictionary<(Guid, Guid), Evidence>> FindAsync(CancellationToken ct)
    {
        var maxPerKey = Math.Max(2, settings.Value.MaxPerKey);
        const int MaxPerName = 200;
        var pairs = new Dictionary<(Guid, Guid), Evidence>();
        void Pair(Guid a, Guid b, int score, string reason)
        {
            if (a == b)
            {
                return;
            }
            var key = a.CompareTo(b) < 0 ? (a, b) : (b, a);
            if (!pairs.TryGetValue(key, out var evidence))
            {
                pairs[key] = evidence = new Evidence();
            }
            evidence.Add(score, reason);
        }
        void PairAll(IEnumerable<List<Guid>> groups, int score, string reason)
        {
            foreach (var group in groups)
            {
                var distinct = group.Distinct().ToList();
                if (distinct.Count > maxPerKey)
                {
                    continue;
                }
                for (var i = 0; i < distinct.Count; i++)
                {
                    for (var j = i + 1; j < distinct.Count; j++)
                    {
                        Pair(distinct[i], distinct[j], score, reason);
                    }
                }
            }
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        var customers = db.Customers.AsNoTracking().Select(c => new { c.Id, c.NormalizedName, c.NormalizedEmail, c.EmailShared });
        string? AliasKey(string email, bool shared) => shared || IsAliasDomain(email) ? EmailKey(email) : null;

        // Customers, read once: each one's keys are kept (hashes, the email for comparing), and each key counted.
        var names = new Dictionary<ulong, int>();
        var emails = new Dictionary<ulong, int>();
        var people = new List<(Guid Id, ulong Name, ulong Alias, string Email)>();
        await foreach (var c in customers.AsAsyncEnumerable().WithCancellation(ct))
        {
            var name = Hash(c.NormalizedName);
            Count(names, name);
            var alias = AliasKey(c.NormalizedEmail, c.EmailShared) is { } key ? Hash(key) : 0UL;
            if (alias != 0)
            {
                Count(emails, alias);
            }
            people.Add((c.Id, name, alias, c.NormalizedEmail));
        }
        // Then the customers of the names and emails more than one has.
        var nameGroups = new Dictionary<ulong, List<(Guid Id, string Email)>>();
        var emailGroups = new Dictionary<ulong, List<Guid>>();
        foreach (var c in people)
        {
            if (names[c.Name] is >= 2 and <= MaxPerName)
            {
                Group(nameGroups, c.Name).Add((c.Id, c.Email));
            }
            if (c.Alias != 0 && emails[c.Alias] is var n && n >= 2 && n <= maxPerKey)
            {
                Group(emailGroups, c.Alias).Add(c.Id);
            }
        }
        people.Clear();
        people.TrimExcess();
        names.Clear();
        emails.Clear();
        foreach (var group in nameGroups.Values)
        {
            for (var i = 0; i < group.Count; i++)
            {
                for (var j = i + 1; j < group.Count; j++)
                {
                    if (SimilarEmails(group[i].Email, group[j].Email))
                    {
                        Pair(group[i].Id, group[j].Id, 85, "Same name, similar emails");
                    }
                }
            }
        }
        PairAll(emailGroups.Values, 95, "Same email once dots and +tags are ignored");
        nameGroups.Clear();
        emailGroups.Clear();

        // Addresses, the same way: phone numbers and street addresses (counted per address; a customer's own repeats
        // are sorted out when the customers of a key are collected).
        var addresses = db.Addresses.AsNoTracking().Select(a => new { a.CustomerId, a.Postal.PhoneNumber, a.Postal.Line1, a.Postal.Postcode, a.Postal.Country });
        var phones = new Dictionary<ulong, int>();
        var streets = new Dictionary<ulong, int>();
        var places = new List<(Guid Customer, ulong Phone, ulong Street)>();
        await foreach (var a in addresses.AsAsyncEnumerable().WithCancellation(ct))
        {
            var phone = PhoneKey(a.PhoneNumber) is { } p ? Hash(p) : 0UL;
            var street = StreetKey(a.Line1, a.Postcode, a.Country) is { } s ? Hash(s) : 0UL;
            if (phone != 0)
            {
                Count(phones, phone);
            }
            if (street != 0)
            {
                Count(streets, street);
            }
            if (phone != 0 || street != 0)
            {
                places.Add((a.CustomerId, phone, street));
            }
        }
        var phoneGroups = new Dictionary<ulong, List<Guid>>();
        var streetGroups = new Dictionary<ulong, List<Guid>>();
        foreach (var a in places)
        {
            if (a.Phone != 0 && phones[a.Phone] is var p && p >= 2 && p <= 2 * maxPerKey)
            {
                Group(phoneGroups, a.Phone).Add(a.Customer);
            }
            if (a.Street != 0 && streets[a.Street] is var n && n >= 2 && n <= 2 * maxPerKey)
            {
                Group(streetGroups, a.Street).Add(a.Customer);
            }
        }
        places.Clear();
        phones.Clear();
        streets.Clear();
        PairAll(phoneGroups.Values, 70, "Same phone number");
        PairAll(streetGroups.Values, 60, "Same street address");
        return pairs;
    }

    private static void Count(Dictionary<ulong, int> counts, ulong key) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;

    private static List<T> Group<T>(Dictionary<ulong, List<T>> groups, ulong key)
    {
        ref var list = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _);
        return list ??= new List<T>(2);
    }

    /// <summary>
    /// Makes the stored pairs what this scan found: the pairs no longer found are deleted, new ones added, changed ones
    /// updated; pairs found again unchanged are not touched (they keep when they were first found), and dismissed pairs
    /// stay dismissed. Only the difference is written, 1,000 rows per transaction: a store's other writes (new customers
    /// above all) go on between those short transactions. Writing the whole set again in one transaction held SQLite's
    /// write lock so long on a large store that new customers failed as "database is locked" (docs/benchmarks.md).
    /// Returns the number of pairs waiting for review.
    /// </summary>
    private async Task<int> WriteAsync(Dictionary<(Guid, Guid), Evidence> found, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // The reasons as a hash: at 900,000 pairs their text would take hundreds of MB beside what the scan found.
        var stored = new Dictionary<(Guid, Guid), (long Id, int Score, ulong Reasons, bool Dismissed)>();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            await foreach (var p in db.DuplicatePairs.AsNoTracking()
                .Select(p => new { p.Id, p.FirstId, p.SecondId, p.Score, p.Reasons, Dismissed = p.DismissedAt != null })
                .AsAsyncEnumerable().WithCancellation(ct))
            {
                stored[(p.FirstId, p.SecondId)] = (p.Id, p.Score, Hash(p.Reasons), p.Dismissed);
            }
        }
        var added = new List<DuplicatePair>();
        var changed = new List<(long Id, int Score, string Reasons)>();
        var waiting = 0;
        foreach (var (key, evidence) in found)
        {
            var reasons = JsonSerializer.Serialize(evidence.Reasons.OrderByDescending(r => r.Score).Select(r => r.Reason));
            if (!stored.Remove(key, out var old))
            {
                added.Add(new DuplicatePair { FirstId = key.Item1, SecondId = key.Item2, Score = evidence.Score, FoundAt = now, Reasons = reasons });
                waiting++;
            }
            else if (!old.Dismissed)
            {
                if (old.Score != evidence.Score || old.Reasons != Hash(reasons))
                {
                    changed.Add((old.Id, evidence.Score, reasons));
                }
                waiting++;
            }
        }
        // What is left was not found again: gone unless dismissed (a dismissal is kept in case the pair comes back).
        var gone = stored.Values.Where(p => !p.Dismissed).Select(p => p.Id).ToList();
        stored.Clear();

        foreach (var chunk in gone.Chunk(1000))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.DuplicatePairs.Where(p => chunk.Contains(p.Id) && p.DismissedAt == null).ExecuteDeleteAsync(ct);
        }
        foreach (var chunk in changed.Chunk(1000))
        {
            // A pair deleted meanwhile (a merge, an erasure) is simply not updated.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var (id, score, reasons) in chunk)
            {
                await db.DuplicatePairs.Where(p => p.Id == id).ExecuteUpdateAsync(u => u.SetProperty(p => p.Score, score).SetProperty(p => p.Reasons, reasons), ct);
            }
            await transaction.CommitAsync(ct);
        }
        foreach (var chunk in added.Chunk(1000))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Not the pairs of a customer merged away or erased since the scan read them.
            var ids = chunk.SelectMany(p => new[] { p.FirstId, p.SecondId }).Distinct().ToList();
            var present = (await db.Customers.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
            var kept = chunk.Where(p => present.Contains(p.FirstId) && present.Contains(p.SecondId)).ToList();
            waiting -= chunk.Length - kept.Count;
            db.DuplicatePairs.AddRange(kept);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        return waiting;
    }

    /// <summary>The email as the mailbox provider reads it: dots dropped where they are ignored, +tags dropped where they are, googlemail as gmail.</summary>
    public static string EmailKey(string normalizedEmail)
    {
        var at = normalizedEmail.LastIndexOf('@');
        if (at <= 0)
        {
            return normalizedEmail;
        }
        var local = normalizedEmail[..at];
        var domain = normalizedEmail[(at + 1)..];
        if (PlusTagDomains.Contains(domain) && local.IndexOf('+') is var plus and > 0)
        {
            local = local[..plus];
        }
        if (DotlessDomains.Contains(domain))
        {
            local = local.Replace(".", "", StringComparison.Ordinal);
            domain = "GMAIL.COM";
        }
        return local + "@" + domain;
    }

    private static bool IsAliasDomain(string normalizedEmail) => normalizedEmail.LastIndexOf('@') is var at and > 0 && PlusTagDomains.Contains(normalizedEmail[(at + 1)..]);

    /// <summary>The same local part at another domain, or two emails at most two letters apart.</summary>
    public static bool SimilarEmails(string a, string b)
    {
        var localA = a[..Math.Max(0, a.LastIndexOf('@'))];
        var localB = b[..Math.Max(0, b.LastIndexOf('@'))];
        return (localA.Length >= 3 && localA == localB) || EmailKey(a) == EmailKey(b) || Distance(a, b, 2) <= 2;
    }

    /// <summary>The last nine digits of a phone number of at least seven, or null.</summary>
    public static string? PhoneKey(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return digits.Length < 7 ? null : digits.Length <= 9 ? digits : digits[^9..];
    }

    /// <summary>First line, postcode (no spaces) and country, folded; null when the line or postcode is missing.</summary>
    public static string? StreetKey(string? line1, string? postcode, string? country)
    {
        if (string.IsNullOrWhiteSpace(line1) || string.IsNullOrWhiteSpace(postcode))
        {
            return null;
        }
        var line = new StringBuilder();
        foreach (var c in Customer.FoldName(line1))
        {
            if (char.IsLetterOrDigit(c))
            {
                line.Append(c);
            }
        }
        return $"{line}|{postcode.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()}|{country?.Trim().ToUpperInvariant()}";
    }

    /// <summary>Levenshtein distance, giving up (returning max + 1) once it is over <paramref name="max"/>.</summary>
    private static int Distance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var best = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                best = Math.Min(best, current[j]);
            }
            if (best > max)
            {
                return max + 1;
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>FNV-1a, 64 bits: a key's hash, so a million keys take megabytes, not hundreds of them.</summary>
    private static ulong Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}

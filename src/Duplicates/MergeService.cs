using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.CustomerSignIn;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Security;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Duplicates;

/// <summary>One customer as the merge screen shows it: values, and how much hangs off it.</summary>
/// <see cref="CreatedBySignIn"/>: made by a first sign-in through a provider while another customer had the email (EP's
/// <c>duplicate_email_policy: allowed</c>), the sign of the pre-account takeover the merge must not complete.
public sealed record MergeSide(Guid Id, string Name, string Email, string? ExternalRef, bool HasPassword, DateTime CreatedAt, JsonObject Custom,
    int Addresses, int Orders, int SignInLinks, bool CreatedBySignIn = false);

/// <summary>A likely duplicate pair for the list.</summary>
public sealed record DuplicateRow(long Id, int Score, IReadOnlyList<string> Reasons, DateTime FoundAt, Guid FirstId, string FirstName, string FirstEmail,
    Guid SecondId, string SecondName, string SecondEmail);

/// <summary>
/// Which values the survivor takes from the customer merged into it (the rest it keeps); custom fields by field id (null:
/// each value only the other customer has). The survivor keeps its password, or takes the other's when it has none,
/// except beside provider sign-in links: then the password is removed unless an Admin sets <see cref="KeepPassword"/>.
/// </summary>
public sealed record MergeChoices(bool Name = false, bool Email = false, bool ExternalRef = false, IReadOnlyCollection<string>? CustomFields = null,
    bool KeepPassword = false);

/// <summary>What undoing a merge needs (kept in <see cref="CustomerMerge.Snapshot"/> for 30 days).</summary>
public sealed record MergeSnapshot(MergedCustomer Removed, MergedValues SurvivorBefore, MergedValues SurvivorAfter,
    IReadOnlyList<Guid> Addresses, IReadOnlyList<Guid> Orders, IReadOnlyList<Guid> SignInLinks);

public sealed record MergedCustomer(Guid Id, string Name, string Email, bool EmailShared, string? PasswordHash, string? ExternalRef, DateTime CreatedAt,
    DateTime UpdatedAt, string? CustomData);

public sealed record MergedValues(string Name, string Email, bool EmailShared, string? PasswordHash, string? ExternalRef, string? CustomData);

/// <summary>
/// Merging two customers into one, and undoing it. A merge is one transaction: the survivor takes the chosen values;
/// the other's addresses, orders (with their totals) and sign-in links move to it; the other is removed; the customer
/// tokens of both end. Everything needed to undo it is recorded with it; for <see cref="UndoDays"/> days the merge can
/// be undone: the removed customer comes back with its id, values, password and everything that moved, and the
/// survivor gets back each value the merge changed (unless it was changed again since). A failure at any step leaves
/// both customers as they were.
/// </summary>
public sealed class MergeService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int UndoDays = 30;

    public async Task<(IReadOnlyList<DuplicateRow> Rows, int Total)> ListAsync(ClaimsPrincipal user, int offset, int limit, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var open = from p in db.DuplicatePairs.AsNoTracking()
                   where p.DismissedAt == null
                   join a in db.Customers on p.FirstId equals a.Id
                   join b in db.Customers on p.SecondId equals b.Id
                   select new { p, a, b };
        var total = await open.CountAsync(ct);
        var rows = await open.OrderByDescending(x => x.p.Score).ThenBy(x => x.p.Id).Skip(offset).Take(limit)
            .Select(x => new { x.p.Id, x.p.Score, x.p.Reasons, x.p.FoundAt, A = x.a.Id, AName = x.a.Name, AEmail = x.a.Email, B = x.b.Id, BName = x.b.Name, BEmail = x.b.Email })
            .ToListAsync(ct);
        return (rows.Select(r => new DuplicateRow(r.Id, r.Score, JsonSerializer.Deserialize<List<string>>(r.Reasons) ?? [], r.FoundAt, r.A, r.AName, r.AEmail, r.B, r.BName, r.BEmail)).ToList(), total);
    }

    /// <summary>"Not duplicates": the pair is not offered again, by this scan or the next.</summary>
    public async Task DismissAsync(ClaimsPrincipal user, long pairId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNow();
        var by = user.Identity?.Name ?? "someone";
        await db.DuplicatePairs.Where(p => p.Id == pairId).ExecuteUpdateAsync(s => s.SetProperty(p => p.DismissedAt, now).SetProperty(p => p.DismissedBy, by), ct);
    }

    public async Task<MergeSide?> SideAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var c = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (c is null)
        {
            return null;
        }
        var links = await db.CustomerLogins.CountAsync(l => l.CustomerId == id, ct);
        return new MergeSide(c.Id, c.Name, c.Email, c.ExternalRef, c.PasswordHash is not null, c.CreatedAt, CustomFieldValues.Parse(c.CustomData),
            await db.Addresses.CountAsync(a => a.CustomerId == id, ct), c.OrderCount, links, CreatedBySignIn: c.EmailShared && links > 0);
    }

    /// <summary>
    /// Merges <paramref name="removedId"/> into <paramref name="survivorId"/>, taking the chosen values from it. A
    /// password never ends up beside provider sign-in links unless an Admin keeps it on purpose: an attacker who registered
    /// the victim's email with a password, merged with the victim's provider sign-in, would otherwise open the victim's
    /// orders and addresses with that password (the pre-account takeover that linking guards against too).
    /// </summary>
    public async Task<Outcome<CustomerMerge>> MergeAsync(ClaimsPrincipal user, Guid survivorId, Guid removedId, MergeChoices choices, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        if (choices.KeepPassword && !user.IsInRole(Roles.Admin))
        {
            return Outcome.Refused<CustomerMerge>("Only an Admin can keep a password beside a provider sign-in.");
        }
        if (survivorId == removedId)
        {
            return Outcome.Refused<CustomerMerge>("A customer cannot be merged into itself.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var survivor = await db.Customers.FirstOrDefaultAsync(c => c.Id == survivorId, ct);
        var removed = await db.Customers.FirstOrDefaultAsync(c => c.Id == removedId, ct);
        if (survivor is null || removed is null)
        {
            return Outcome.NotFound<CustomerMerge>();
        }
        var addresses = await db.Addresses.Where(a => a.CustomerId == removedId).Select(a => a.Id).ToListAsync(ct);
        var survivorAddresses = await db.Addresses.CountAsync(a => a.CustomerId == survivorId, ct);
        if (survivorAddresses + addresses.Count > AddressLimits.PerCustomer)
        {
            return Outcome.Refused<CustomerMerge>($"Together they have {survivorAddresses + addresses.Count} addresses; a customer has at most {AddressLimits.PerCustomer}. Delete some first.");
        }
        var orders = await db.Orders.Where(o => o.CustomerId == removedId).Select(o => o.Id).ToListAsync(ct);
        var logins = await db.CustomerLogins.Where(l => l.CustomerId == removedId).Select(l => l.Id).ToListAsync(ct);
        var survivorLinks = await db.CustomerLogins.CountAsync(l => l.CustomerId == survivorId, ct);
        var before = Values(survivor);
        var gone = new MergedCustomer(removed.Id, removed.Name, removed.Email, removed.EmailShared, removed.PasswordHash, removed.ExternalRef,
            removed.CreatedAt, removed.UpdatedAt, removed.CustomData);

        // What moves, then the other goes (freeing its email), then the survivor takes the chosen values.
        await db.Addresses.Where(a => a.CustomerId == removedId).ExecuteUpdateAsync(s => s.SetProperty(a => a.CustomerId, survivorId), ct);
        await db.Orders.Where(o => o.CustomerId == removedId).ExecuteUpdateAsync(s => s.SetProperty(o => o.CustomerId, survivorId), ct);
        await db.CustomerLogins.Where(l => l.CustomerId == removedId).ExecuteUpdateAsync(s => s.SetProperty(l => l.CustomerId, survivorId), ct);
        await db.CustomerTokens.Where(t => t.CustomerId == survivorId || t.CustomerId == removedId).ExecuteDeleteAsync(ct);
        await db.Customers.Where(c => c.Id == removedId).ExecuteDeleteAsync(ct);
        // Both timelines tell of the merge (the survivor's field changes are recorded with its save below).
        db.RecordChange(removedId, "customer", removedId, ChangeKinds.Details, ChangeActions.Merged, removed.Name,
            new Dictionary<string, (string?, string?)> { ["merged_into"] = (null, survivorId.ToString()) });
        db.RecordChange(survivorId, "customer", survivorId, ChangeKinds.Details, ChangeActions.Merged, survivor.Name,
            new Dictionary<string, (string?, string?)>
            {
                ["merged_from"] = (null, removedId.ToString()),
                ["addresses_moved"] = (null, addresses.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ["orders_moved"] = (null, orders.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            });

        if (choices.Name)
        {
            survivor.SetName(removed.Name);
        }
        if (choices.Email)
        {
            survivor.SetEmail(removed.Email);
            survivor.EmailShared = removed.EmailShared;
        }
        if (choices.ExternalRef)
        {
            survivor.ExternalRef = removed.ExternalRef;
        }
        if (MixesPasswordAndSignIn(survivor.PasswordHash is not null, survivorLinks, removed.PasswordHash is not null, logins.Count) && !choices.KeepPassword)
        {
            // As linking does under api_only: the provider identity, not a password someone else may have set, opens it.
            survivor.PasswordHash = null;
        }
        else
        {
            survivor.PasswordHash ??= removed.PasswordHash;
        }
        var custom = CustomFieldValues.Parse(survivor.CustomData);
        var theirs = CustomFieldValues.Parse(removed.CustomData);
        foreach (var (fieldId, value) in theirs)
        {
            // The chosen fields come from the other; with no choice made, a value only the other has comes along.
            if (choices.CustomFields is null ? !custom.ContainsKey(fieldId) : choices.CustomFields.Contains(fieldId))
            {
                custom[fieldId] = value?.DeepClone();
            }
        }
        survivor.CustomData = custom.Count == 0 ? null : custom.ToJsonString();
        var now = clock.UtcNow();
        survivor.UpdatedAt = now;
        survivor.Version = Guid.NewGuid();
        await db.DuplicatePairs.Where(p => p.FirstId == removedId || p.SecondId == removedId || (p.FirstId == survivorId && p.DismissedAt == null)
            || (p.SecondId == survivorId && p.DismissedAt == null)).ExecuteDeleteAsync(ct);
        var merge = new CustomerMerge
        {
            Id = Guid.CreateVersion7(), SurvivorId = survivorId, RemovedId = removedId, RemovedName = removed.Name, RemovedEmail = removed.Email,
            SurvivorName = survivor.Name, MergedAt = now, MergedBy = user.Identity?.Name ?? "someone", UndoUntil = now.AddDays(UndoDays),
            Snapshot = JsonSerializer.Serialize(new MergeSnapshot(gone, before, Values(survivor), addresses, orders, logins)),
        };
        db.CustomerMerges.Add(merge);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return Outcome.Duplicate<CustomerMerge>(nameof(CustomerInput.Email), "Another customer has that email.");
        }
        await transaction.CommitAsync(ct);
        return merge;
    }

    public async Task<IReadOnlyList<CustomerMerge>> RecentAsync(ClaimsPrincipal user, int limit = 20, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CustomerMerges.AsNoTracking().OrderByDescending(m => m.MergedAt).Take(limit).ToListAsync(ct);
    }

    /// <summary>Brings the removed customer back with everything that moved, and gives the survivor back what the merge changed.</summary>
    public async Task<Outcome<bool>> UndoAsync(ClaimsPrincipal user, Guid mergeId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var merge = await db.CustomerMerges.FirstOrDefaultAsync(m => m.Id == mergeId, ct);
        if (merge is null)
        {
            return Outcome.NotFound<bool>();
        }
        if (merge.UndoneAt is not null)
        {
            return Outcome.Refused<bool>($"This merge was undone already, by {merge.UndoneBy}.");
        }
        var now = clock.UtcNow();
        if (now > merge.UndoUntil)
        {
            return Outcome.Refused<bool>($"A merge can be undone for {UndoDays} days; this one is older.");
        }
        // An erasure of either customer empties the snapshot: what undoing needs is gone with the personal data.
        if (JsonSerializer.Deserialize<MergeSnapshot>(merge.Snapshot) is not { Removed: not null, SurvivorBefore: not null, SurvivorAfter: not null } snapshot)
        {
            return Outcome.Refused<bool>("This merge can no longer be undone: the personal data of one of its customers was erased.");
        }
        if (await db.Customers.AnyAsync(c => c.Id == snapshot.Removed.Id, ct))
        {
            return Outcome.Refused<bool>("The merged customer is here already.");
        }
        var survivor = await db.Customers.FirstOrDefaultAsync(c => c.Id == merge.SurvivorId, ct);
        if (survivor is not null)
        {
            // Each value the merge changed goes back, unless someone changed it again since.
            var (was, set) = (snapshot.SurvivorBefore, snapshot.SurvivorAfter);
            if (survivor.Name == set.Name && was.Name != set.Name)
            {
                survivor.SetName(was.Name);
            }
            if (survivor.Email == set.Email && was.Email != set.Email)
            {
                survivor.SetEmail(was.Email);
                survivor.EmailShared = was.EmailShared;
            }
            if (survivor.ExternalRef == set.ExternalRef)
            {
                survivor.ExternalRef = was.ExternalRef;
            }
            if (survivor.PasswordHash == set.PasswordHash)
            {
                survivor.PasswordHash = was.PasswordHash;
            }
            // Compared as JSON: PostgreSQL's jsonb gives the document back in its own spelling.
            if (JsonNode.DeepEquals(CustomFieldValues.Parse(survivor.CustomData), CustomFieldValues.Parse(set.CustomData)))
            {
                survivor.CustomData = was.CustomData;
            }
            survivor.UpdatedAt = now;
            survivor.Version = Guid.NewGuid();
            await db.SaveChangesAsync(ct);
        }
        var gone = snapshot.Removed;
        var back = new Customer
        {
            Id = gone.Id, EmailShared = gone.EmailShared, PasswordHash = gone.PasswordHash, ExternalRef = gone.ExternalRef, CreatedAt = gone.CreatedAt,
            UpdatedAt = now, CustomData = gone.CustomData, Version = Guid.NewGuid(),
        };
        back.SetName(gone.Name);
        back.SetEmail(gone.Email);
        db.Customers.Add(back);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return Outcome.Refused<bool>($"Another customer has {gone.Email} now, so {gone.Name} cannot come back with it. Change that customer's email first.");
        }
        var addresses = snapshot.Addresses.ToList();
        var orders = snapshot.Orders.ToList();
        var logins = snapshot.SignInLinks.ToList();
        await db.Addresses.Where(a => addresses.Contains(a.Id) && a.CustomerId == merge.SurvivorId).ExecuteUpdateAsync(s => s.SetProperty(a => a.CustomerId, gone.Id), ct);
        await db.Orders.Where(o => orders.Contains(o.Id) && o.CustomerId == merge.SurvivorId).ExecuteUpdateAsync(s => s.SetProperty(o => o.CustomerId, (Guid?)gone.Id), ct);
        await db.CustomerLogins.Where(l => logins.Contains(l.Id) && l.CustomerId == merge.SurvivorId).ExecuteUpdateAsync(s => s.SetProperty(l => l.CustomerId, gone.Id), ct);
        // Whoever signed in to the merged customer since has no business in either of them now.
        await db.CustomerTokens.Where(t => t.CustomerId == merge.SurvivorId || t.CustomerId == gone.Id).ExecuteDeleteAsync(ct);
        merge.UndoneAt = now;
        merge.UndoneBy = user.Identity?.Name ?? "someone";
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>After the undo period: the removed customer's data in the snapshot goes; the record of the merge stays.</summary>
    public async Task<int> ForgetExpiredAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.UtcNow();
        return await db.CustomerMerges.Where(m => m.UndoUntil < now && m.Snapshot != "{}").ExecuteUpdateAsync(s => s.SetProperty(m => m.Snapshot, "{}"), ct);
    }

    /// <summary>
    /// Whether the merged customer would have one customer's password beside the other's provider sign-in links: the
    /// password it keeps (the survivor's, else the other's) comes from one side and a link from the other.
    /// </summary>
    public static bool MixesPasswordAndSignIn(bool survivorHasPassword, int survivorLinks, bool removedHasPassword, int removedLinks) =>
        survivorHasPassword ? removedLinks > 0 : removedHasPassword && survivorLinks > 0;

    private static MergedValues Values(Customer c) => new(c.Name, c.Email, c.EmailShared, c.PasswordHash, c.ExternalRef, c.CustomData);
}

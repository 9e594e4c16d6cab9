using System.Linq.Expressions;
using System.Text.Json.Nodes;
using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>An account as staff and API callers see it, with its place in the tree (ancestors root first) and its tags.</summary>
public sealed record AccountDto(
    Guid Id,
    string Name,
    string? LegalName,
    string? RegistrationId,
    string? ExternalRef,
    Guid? ParentId,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid Version,
    IReadOnlyList<Guid> Ancestors,
    IReadOnlyList<Guid> TagIds,
    string? CustomData = null);

/// <summary>An account as staff or an API caller send it. <see cref="ParentId"/> is read on creation only (EP's rule).</summary>
public sealed class AccountInput
{
    public string Name { get; set; } = "";
    public string? LegalName { get; set; }
    public string? RegistrationId { get; set; }
    public string? ExternalRef { get; set; }
    public Guid? ParentId { get; set; }
    /// <summary>Values of the <c>accounts</c> flow's custom fields by slug; those left out keep their value (or, on creation, take the default).</summary>
    public Dictionary<string, JsonNode?>? Custom { get; set; }
}

public sealed class AccountInputValidator : AbstractValidator<AccountInput>
{
    public AccountInputValidator()
    {
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.");
        RuleFor(x => x.Name).MaximumLength(AccountLimits.Text).WithMessage($"Name must be at most {AccountLimits.Text} characters.");
        RuleFor(x => x.LegalName).MaximumLength(AccountLimits.Text).WithMessage($"Legal name must be at most {AccountLimits.Text} characters.");
        RuleFor(x => x.RegistrationId).MaximumLength(AccountLimits.RegistrationId)
            .WithMessage($"Registration id must be at most {AccountLimits.RegistrationId} characters.");
        RuleFor(x => x.ExternalRef).MaximumLength(AccountLimits.ExternalRef).WithMessage($"External reference must be at most {AccountLimits.ExternalRef} characters.");
    }
}

public sealed record AccountQuery(string? Filter = null, string? Sort = null, int Offset = 0, int Limit = PageRequest.DefaultLimit)
{
    public PageRequest Page => new PageRequest(Offset, Limit).Checked();
}

/// <summary>
/// Accounts (EP's Account Management): create, read, change, delete, list with EP's filters, the tree and tags. Staff
/// and API clients reach every account; a member's account token reaches its own account (and changes it only when the
/// store lets members update themselves).
/// </summary>
public sealed class AccountService(IDbContextFactory<AppDbContext> dbFactory, IValidator<AccountInput> validator, AccountSettingsService settings,
    IAccountStore store, CustomFieldValues customFields, TimeProvider clock)
{
    public const string DefaultSort = "-created_at";
    public const string RegistrationIdTaken = "Another account has this registration_id: it must be unique in the store.";
    public const string HasChildren = "This account has child accounts: delete them (or, in the console, move them under another account) first.";
    public const string NoParent = "There is no account with this parent_id.";

    public static readonly FilterSchema Schema = new(new Dictionary<string, string[]>
    {
        ["id"] = ["eq", "gt", "ge", "lt", "le", "in"],
        ["created_at"] = FilterSchema.Compare,
        ["updated_at"] = FilterSchema.Compare,
        ["name"] = FilterSchema.Text,
        ["legal_name"] = FilterSchema.Text,
        ["registration_id"] = FilterSchema.Text,
        ["external_ref"] = FilterSchema.Text,
        ["parent_id"] = ["eq", "in"],
        ["account_tags"] = ["contains", "eq"],
    });

    public static readonly string[] SortFields = ["created_at", "updated_at", "name", "id"];

    public async Task<Page<AccountDto>> ListAsync(ClaimsPrincipal user, AccountQuery query, CancellationToken ct = default)
    {
        var own = Access.AccountIdOf(user);
        if (own is null)
        {
            Access.Require(user, Permission.ReadCustomers);
        }
        var terms = Schema.Parse(query.Filter);
        var page = query.Page;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        IQueryable<ShopperAccount> source = db.Accounts;
        // A name contains (ends-with) search starts from the provider's substring index when it has one.
        if (terms.FirstOrDefault(t => t.Field == "name" && t.Op == "like") is { } like)
        {
            var (kind, text) = LikePattern.Read(like.Value);
            if (kind is LikeKind.Contains or LikeKind.EndsWith)
            {
                var folded = Customers.Customer.FoldName(text);
                var endsWith = kind == LikeKind.EndsWith;
                // The search alone, newest first (the list's and EP's default): the page from the index in creation order and
                // the count from the index, instead of sorting and counting every match.
                if (terms.Count == 1 && own is null && (string.IsNullOrWhiteSpace(query.Sort) || query.Sort.Trim() == DefaultSort)
                    && await store.NewestContainingAsync(db, db.Accounts, nameof(ShopperAccount.NormalizedName), folded, endsWith,
                        q => Apply(q, terms, db), q => Sort(q, DefaultSort), page, ct) is var (first, found))
                {
                    return new Page<AccountDto>(await DtosAsync(db, first, ct), found, page.Offset, page.Limit);
                }
                source = store.NameCandidates(db, folded);
            }
        }
        var filtered = Apply(source.AsNoTracking(), terms, db);
        if (own is { } accountId)
        {
            // A member sees the account its token is for, whatever the filter says.
            filtered = filtered.Where(a => a.Id == accountId);
        }
        var sorted = Sort(filtered, query.Sort);
        var rows = await sorted.Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count
            : terms.Count == 0 && own is null ? await db.Accounts.CountAsync(ct)
            : (await Counting.CountAsync(filtered, exact: true, ct)).Total;
        return new Page<AccountDto>(await DtosAsync(db, rows, ct), total, page.Offset, page.Limit);
    }

    /// <summary>The accounts a filter matches (or <paramref name="ids"/>), newest first, streamed: what an export reads. Staff and API clients only.</summary>
    public async IAsyncEnumerable<ShopperAccount> ReadAsync(ClaimsPrincipal user, string? filter, IReadOnlyCollection<Guid>? ids,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var terms = Schema.Parse(filter);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = Apply(db.Accounts.AsNoTracking(), terms, db);
        if (ids is not null)
        {
            q = q.Where(a => ids.Contains(a.Id));
        }
        await foreach (var account in Sort(q, DefaultSort).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return account;
        }
    }

    /// <summary>The account, or null when it does not exist or is not the caller's (a member's token).</summary>
    public async Task<AccountDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, id, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        return account is null ? null : (await DtosAsync(db, [account], ct))[0];
    }

    /// <summary>Names of those of <paramref name="ids"/> that exist, for pages that list other things naming accounts.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(ClaimsPrincipal user, IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
    }

    public async Task<Outcome<AccountDto>> CreateAsync(ClaimsPrincipal user, AccountInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (input.ParentId is { } parentId)
        {
            var depth = (await AncestorsAsync(db, parentId, ct)).Count + 1;
            if (!await db.Accounts.AnyAsync(a => a.Id == parentId, ct))
            {
                return Outcome.Refused<AccountDto>(NoParent, nameof(AccountInput.ParentId));
            }
            if (depth >= AccountLimits.MaxDepth)
            {
                return Outcome.Refused<AccountDto>($"An account tree is at most {AccountLimits.MaxDepth} levels deep.", nameof(AccountInput.ParentId));
            }
        }
        var now = clock.UtcNow();
        var account = new ShopperAccount { Id = Guid.CreateVersion7(), ParentId = input.ParentId, CreatedAt = now };
        Apply(account, input, now);
        account.CustomData = await customFields.MergeAsync(Flow.Accounts, null, input.Custom, creating: true, ct, byStore: Access.ActsForStore(user));
        db.Accounts.Add(account);
        var saved = await db.SaveOrConflictAsync(() => account, ct, nameof(AccountInput.RegistrationId), RegistrationIdTaken);
        return saved.IsOk ? (await DtosAsync(db, [account], ct))[0] : saved.As<AccountDto>();
    }

    /// <summary>
    /// Changes name, legal name, registration id and external reference (the parent stays). A member's token may change
    /// its own account only when the store lets members update themselves (<c>account_member_self_management: update_only</c>).
    /// </summary>
    public async Task<Outcome<AccountDto>> UpdateAsync(ClaimsPrincipal user, Guid id, AccountInput input, Guid? expectedVersion, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, id, write: true))
        {
            return Outcome.NotFound<AccountDto>();
        }
        if (Access.AccountIdOf(user) is not null)
        {
            if (!(await settings.GetAsync(ct)).MembersMayUpdateThemselves)
            {
                throw new AccessDeniedException("Account members may not change their account in this store (account_member_self_management is disabled).");
            }
            // A member names and renames its account; references are the store's.
            var current = await GetAsync(user, id, ct);
            if (current is not null && (input.RegistrationId != current.RegistrationId || input.ExternalRef != current.ExternalRef))
            {
                throw new AccessDeniedException("registration_id and external_ref are set by the store, not by an account member.");
            }
        }
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (Saving.IsStale(account, expectedVersion, out Outcome<AccountDto> stale))
        {
            return stale;
        }
        Apply(account, input, clock.UtcNow());
        account.CustomData = await customFields.MergeAsync(Flow.Accounts, account.CustomData, input.Custom, creating: false, ct, byStore: Access.ActsForStore(user));
        var saved = await db.SaveOrConflictAsync(() => account, ct, nameof(AccountInput.RegistrationId), RegistrationIdTaken);
        return saved.IsOk ? (await DtosAsync(db, [account], ct))[0] : saved.As<AccountDto>();
    }

    /// <summary>
    /// Deletes the account with its addresses, memberships, tags and tokens. Refused while it has child accounts (a
    /// tree is never left with orphans). Orders keep their copy of who bought and the account's id.
    /// </summary>
    public async Task<Outcome<bool>> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await db.Accounts.AnyAsync(a => a.ParentId == id, ct))
            {
                return Outcome.Refused<bool>(HasChildren);
            }
        }
        try
        {
            return await Saving.RemoveAsync(dbFactory, db => db.Accounts.FirstOrDefaultAsync(a => a.Id == id, ct), ct) ? true : Outcome.NotFound<bool>();
        }
        catch (DbUpdateException ex) when (DbErrors.IsForeignKeyViolation(ex))
        {
            // A child was created under it meanwhile.
            return Outcome.Refused<bool>(HasChildren);
        }
    }

    /// <summary>
    /// Moves an account under another parent (or to the top with null): the console's hierarchy tool, for staff who
    /// edit. Refuses a move under itself or under one of its own descendants, and trees deeper than
    /// <see cref="AccountLimits.MaxDepth"/>.
    /// </summary>
    public async Task<Outcome<AccountDto>> MoveAsync(ClaimsPrincipal user, Guid id, Guid? newParentId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (account is null)
        {
            return Outcome.NotFound<AccountDto>();
        }
        if (newParentId is { } parentId)
        {
            if (parentId == id)
            {
                return Outcome.Refused<AccountDto>("An account cannot be its own parent.", nameof(AccountInput.ParentId));
            }
            if (!await db.Accounts.AnyAsync(a => a.Id == parentId, ct))
            {
                return Outcome.Refused<AccountDto>(NoParent, nameof(AccountInput.ParentId));
            }
            var chain = await AncestorsAsync(db, parentId, ct);
            if (chain.Contains(id))
            {
                return Outcome.Refused<AccountDto>("That account is below this one: moving it there would make a loop.", nameof(AccountInput.ParentId));
            }
            if (chain.Count + 1 + await HeightAsync(db, id, ct) > AccountLimits.MaxDepth)
            {
                return Outcome.Refused<AccountDto>($"An account tree is at most {AccountLimits.MaxDepth} levels deep.", nameof(AccountInput.ParentId));
            }
        }
        account.ParentId = newParentId;
        account.UpdatedAt = clock.UtcNow();
        account.Version = Guid.NewGuid();
        var saved = await db.SaveOrConflictAsync(() => account, ct);
        return saved.IsOk ? (await DtosAsync(db, [account], ct))[0] : saved.As<AccountDto>();
    }

    /// <summary>An account's direct children, oldest first, a page at a time (the console's tree opens a level lazily).</summary>
    public async Task<Page<AccountDto>> ChildrenAsync(ClaimsPrincipal user, Guid id, int offset = 0, int limit = PageRequest.DefaultLimit, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var page = new PageRequest(offset, limit).Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var children = db.Accounts.AsNoTracking().Where(a => a.ParentId == id);
        var rows = await children.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count : await children.CountAsync(ct);
        return new Page<AccountDto>(await DtosAsync(db, rows, ct), total, page.Offset, page.Limit);
    }

    /// <summary>How many direct children each of <paramref name="ids"/> has (the tree shows which rows open).</summary>
    public async Task<IReadOnlyDictionary<Guid, int>> ChildCountsAsync(ClaimsPrincipal user, IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Accounts.AsNoTracking().Where(a => a.ParentId != null && ids.Contains(a.ParentId.Value))
            .GroupBy(a => a.ParentId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
    }

    /// <summary>Adds tags to an account (EP's <c>POST /v2/accounts/:id/relationships/account-tags</c>); tags it has already stay.</summary>
    public async Task<Outcome<IReadOnlyList<Guid>>> AddTagsAsync(ClaimsPrincipal user, Guid id, IReadOnlyCollection<Guid> tagIds, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == id, ct))
        {
            return Outcome.NotFound<IReadOnlyList<Guid>>();
        }
        var known = await db.AccountTags.Where(t => tagIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
        if (tagIds.Except(known).FirstOrDefault() is var missing && missing != Guid.Empty)
        {
            return Outcome.Refused<IReadOnlyList<Guid>>($"There is no account tag {missing}.", "data");
        }
        var has = await db.AccountTagLinks.Where(l => l.AccountId == id).Select(l => l.TagId).ToListAsync(ct);
        foreach (var tag in known.Except(has))
        {
            db.AccountTagLinks.Add(new AccountTagLink { AccountId = id, TagId = tag });
        }
        await TouchAsync(db, id, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Added by a concurrent request: the result is the same.
        }
        return Outcome.Ok(await TagsOfAsync(db, id, ct));
    }

    public async Task<Outcome<IReadOnlyList<Guid>>> RemoveTagsAsync(ClaimsPrincipal user, Guid id, IReadOnlyCollection<Guid> tagIds, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == id, ct))
        {
            return Outcome.NotFound<IReadOnlyList<Guid>>();
        }
        db.AccountTagLinks.RemoveRange(await db.AccountTagLinks.Where(l => l.AccountId == id && tagIds.Contains(l.TagId)).ToListAsync(ct));
        await TouchAsync(db, id, ct);
        await db.SaveChangesAsync(ct);
        return Outcome.Ok(await TagsOfAsync(db, id, ct));
    }

    public async Task<IReadOnlyList<Guid>?> TagsAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, id, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Accounts.AnyAsync(a => a.Id == id, ct) ? await TagsOfAsync(db, id, ct) : null;
    }

    private async Task TouchAsync(AppDbContext db, Guid id, CancellationToken ct)
    {
        var account = await db.Accounts.FirstAsync(a => a.Id == id, ct);
        account.UpdatedAt = clock.UtcNow();
        account.Version = Guid.NewGuid();
    }

    private static async Task<IReadOnlyList<Guid>> TagsOfAsync(AppDbContext db, Guid id, CancellationToken ct) =>
        await db.AccountTagLinks.AsNoTracking().Where(l => l.AccountId == id).OrderBy(l => l.TagId).Select(l => l.TagId).ToListAsync(ct);

    private static void Apply(ShopperAccount account, AccountInput input, DateTime now)
    {
        account.SetName(input.Name);
        account.SetLegalName(input.LegalName);
        account.RegistrationId = string.IsNullOrWhiteSpace(input.RegistrationId) ? null : input.RegistrationId.Trim();
        account.ExternalRef = string.IsNullOrWhiteSpace(input.ExternalRef) ? null : input.ExternalRef.Trim();
        account.UpdatedAt = now;
        account.Version = Guid.NewGuid();
    }

    /// <summary>The account's ancestors, root first (its parent last): a walk up the tree, one primary-key read a level.</summary>
    private static async Task<List<Guid>> AncestorsAsync(AppDbContext db, Guid parentId, CancellationToken ct)
    {
        var chain = new List<Guid>();
        Guid? next = parentId;
        while (next is { } current && chain.Count < AccountLimits.MaxDepth && !chain.Contains(current))
        {
            chain.Add(current);
            next = await db.Accounts.AsNoTracking().Where(a => a.Id == current).Select(a => a.ParentId).FirstOrDefaultAsync(ct);
        }
        chain.Reverse();
        return chain;
    }

    /// <summary>Levels below the account (0 for a leaf), to keep a move within the depth limit.</summary>
    private static async Task<int> HeightAsync(AppDbContext db, Guid id, CancellationToken ct)
    {
        var level = new List<Guid> { id };
        var height = 0;
        while (height <= AccountLimits.MaxDepth)
        {
            var current = level;
            level = await db.Accounts.AsNoTracking().Where(a => a.ParentId != null && current.Contains(a.ParentId.Value)).Select(a => a.Id).ToListAsync(ct);
            if (level.Count == 0)
            {
                return height;
            }
            height++;
        }
        return height;
    }

    private static async Task<IReadOnlyList<AccountDto>> DtosAsync(AppDbContext db, IReadOnlyList<ShopperAccount> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var ids = rows.Select(a => a.Id).ToList();
        var tags = await db.AccountTagLinks.AsNoTracking().Where(l => ids.Contains(l.AccountId)).ToListAsync(ct);
        var result = new List<AccountDto>(rows.Count);
        foreach (var a in rows)
        {
            var ancestors = a.ParentId is { } parent ? await AncestorsAsync(db, parent, ct) : [];
            result.Add(new AccountDto(a.Id, a.Name, a.LegalName, a.RegistrationId, a.ExternalRef, a.ParentId, a.CreatedAt, a.UpdatedAt, a.Version,
                ancestors, tags.Where(t => t.AccountId == a.Id).Select(t => t.TagId).OrderBy(t => t).ToList(), a.CustomData));
        }
        return result;
    }

    private static IQueryable<ShopperAccount> Apply(IQueryable<ShopperAccount> q, IEnumerable<FilterTerm> terms, AppDbContext db)
    {
        foreach (var t in terms)
        {
            q = t.Field switch
            {
                "id" when t.Op == "in" => q.Where(InIds(t)),
                "id" => q.Where(QueryBuilding.Compare(t.Op, (ShopperAccount a) => a.Id, FilterLanguage.ParseGuid(t))),
                "created_at" => q.Where(QueryBuilding.Compare(t.Op, (ShopperAccount a) => a.CreatedAt, FilterLanguage.ParseTimestamp(t))),
                "updated_at" => q.Where(QueryBuilding.Compare(t.Op, (ShopperAccount a) => a.UpdatedAt, FilterLanguage.ParseTimestamp(t))),
                "name" => QueryBuilding.Text(q, t, a => a.NormalizedName, Customers.Customer.FoldName),
                "legal_name" => QueryBuilding.Text(q.Where(a => a.NormalizedLegalName != null), t, a => a.NormalizedLegalName!, Customers.Customer.FoldName),
                "registration_id" => QueryBuilding.Text(q.Where(a => a.RegistrationId != null), t, a => a.RegistrationId!, v => v.Trim()),
                "external_ref" => QueryBuilding.Text(q.Where(a => a.ExternalRef != null), t, a => a.ExternalRef!, v => v.Trim()),
                "parent_id" when t.Op == "in" => q.Where(InParents(t)),
                "parent_id" => ParentIs(q, t),
                "account_tags" => HasTag(q, t, db),
                _ => throw new FilterException($"Filtering accounts on '{t.Field}' is not supported."),
            };
        }
        return q;
    }

    private static IQueryable<ShopperAccount> ParentIs(IQueryable<ShopperAccount> q, FilterTerm t)
    {
        var parent = FilterLanguage.ParseGuid(t);
        return q.Where(a => a.ParentId == parent);
    }

    private static IQueryable<ShopperAccount> HasTag(IQueryable<ShopperAccount> q, FilterTerm t, AppDbContext db)
    {
        var tag = FilterLanguage.ParseGuid(t);
        var links = db.AccountTagLinks;
        return q.Where(a => links.Any(l => l.AccountId == a.Id && l.TagId == tag));
    }

    private static Expression<Func<ShopperAccount, bool>> InIds(FilterTerm t)
    {
        var ids = t.Values.Select(v => FilterLanguage.ParseGuid(t with { Value = v })).ToList();
        return a => ids.Contains(a.Id);
    }

    private static Expression<Func<ShopperAccount, bool>> InParents(FilterTerm t)
    {
        var ids = t.Values.Select(v => (Guid?)FilterLanguage.ParseGuid(t with { Value = v })).ToList();
        return a => ids.Contains(a.ParentId);
    }

    private static IQueryable<ShopperAccount> Sort(IQueryable<ShopperAccount> q, string? sort)
    {
        var s = string.IsNullOrWhiteSpace(sort) ? DefaultSort : sort.Trim();
        return s switch
        {
            "created_at" => q.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id),
            "-created_at" => q.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            "updated_at" => q.OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id),
            "-updated_at" => q.OrderByDescending(a => a.UpdatedAt).ThenByDescending(a => a.Id),
            "name" => q.OrderBy(a => a.NormalizedName).ThenBy(a => a.Id),
            "-name" => q.OrderByDescending(a => a.NormalizedName).ThenByDescending(a => a.Id),
            "id" => q.OrderBy(a => a.Id),
            "-id" => q.OrderByDescending(a => a.Id),
            var other => throw new FilterException(
                $"Sorting accounts by '{other.TrimStart('-')}' is not supported. Use {string.Join(", ", SortFields)} (- for descending).", FilterException.SortTitle),
        };
    }
}

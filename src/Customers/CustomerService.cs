using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Querying;
using CommerceManager.Security;
using CommerceManager.Tokens;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Customers;

/// <summary>A customer as staff and API callers see it: the password only as set / not set.</summary>
public sealed record CustomerDto(
    Guid Id,
    string Name,
    string Email,
    bool HasPassword,
    string? ExternalRef,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid Version,
    string? CustomData = null,
    int OrderCount = 0,
    long OrdersTotal = 0,
    DateTime? LastOrderAt = null);

public sealed class CustomerService(
    IDbContextFactory<AppDbContext> dbFactory,
    IValidator<CustomerInput> validator,
    IPasswordHasher<Customer> hasher,
    CustomFieldValues customFields,
    SqlDialect dialect,
    SqliteCustomerLookup lookup,
    SqliteGroupCommit groupCommit,
    VersionedCounts versionedCounts,
    TimeProvider clock)
{
    public const string EmailTakenMessage = "A customer with this email already exists.";
    public const string StoreOnlyExternalRef = "external_ref is set by the store (staff or a server with an API secret), not by a storefront or customer.";
    public const string CurrentPasswordNeeded = "To change the password, send current_password: the password it replaces.";
    public const string CurrentPasswordWrong = "current_password is not the customer's password.";
    public const string DefaultSort = "-created_at";

    public async Task<Page<CustomerDto>> ListAsync(ClaimsPrincipal user, CustomerQuery query,
        string defaultSort = DefaultSort, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var page = query.Page;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (filtered, custom, unfiltered) = await MatchingAsync(db, query, ct);
        var sort = string.IsNullOrWhiteSpace(query.Sort) ? defaultSort : query.Sort.Trim();
        if (OneEmail(query, custom, sort) is { } email)
        {
            // "Does this email exist?", a storefront's question before sign-up or log-in: compiled, from the email index.
            var matches = await EmailCountQuery.For(db)(db, email, ct);
            return new Page<CustomerDto>(matches == 0 ? [] : await EmailPageQuery.For(db)(db, email, page.Offset, page.Limit).ToListAsync(ct),
                matches, page.Offset, page.Limit, false);
        }
        // A name or email contains (or ends-with) search alone, or the console's one box, in creation order: the
        // storefront's and the console's usual searches. Counted from the substring index, and the page read from it in
        // creation order rather than by sorting every match.
        if (OneSubstring(query, custom, sort) is (var terms, var column, var text, var endsWith))
        {
            Func<Task<int?>> countAsync = () => dialect.CountSubstringAsync(db, db.Customers, column, text, endsWith, query.ExactTotal ? null : Counting.Cap, ct);
            // SQLite: one statement, kept prepared by the lookup's connections and read without EF (preparing it cost more than running it).
            if (lookup.Serves && dialect.SubstringFirstCreatedPage(db.Customers, column, text, endsWith, sort == "-created_at", SqliteCustomerLookup.Columns)
                    is var (pageSql, phrase))
            {
                return await FromIndexAsync(() => lookup.PageAsync(pageSql, phrase, text, page.Offset + page.Limit - 1, page.Limit, page.Offset, ct), countAsync);
            }
            if (dialect.SubstringFirstCreated(db.Customers, column, text, endsWith, page.Offset + page.Limit, sort == "-created_at") is { } first)
            {
                return await FromIndexAsync(() => PageOf(CustomerFilters.Apply(first.AsNoTracking(), terms, custom)), countAsync);
            }
            if (await CreationWindowPageAsync(db, query, custom, terms, column, text, endsWith, sort == "-created_at", ct) is { } walked)
            {
                return walked;
            }
        }
        if (OneBox(query, unfiltered: string.IsNullOrWhiteSpace(query.Filter), sort) is var (boxName, boxEmail, quick)
            && dialect.SubstringAnyFirstCreated(db.Customers, QuickColumns(boxName, boxEmail), nameof(Customer.ExternalRef), quick,
                page.Offset + page.Limit, sort == "-created_at") is { } firstAny)
        {
            return await FromIndexAsync(() => PageOf(firstAny.AsNoTracking().Where(QuickMatch(boxName, boxEmail, quick))),
                () => dialect.CountSubstringAnyAsync(db, db.Customers, QuickColumns(boxName, boxEmail), nameof(Customer.ExternalRef), quick,
                    query.ExactTotal ? null : Counting.Cap, ct));
        }

        Task<List<CustomerDto>> PageOf(IQueryable<Customer> candidates) =>
            CustomerFilters.Sort(candidates, sort, defaultSort, custom).Skip(page.Offset).Take(page.Limit).Select(ToDto).ToListAsync(ct);

        async Task<Page<CustomerDto>> FromIndexAsync(Func<Task<List<CustomerDto>>> pageAsync, Func<Task<int?>> countAsync)
        {
            // The count on the context's connection (kept open for the EF page too); the prepared page reads on the lookup's own.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                var found = await countAsync() ?? throw new InvalidOperationException("The substring index gave a page but no count.");
                var rows = found <= page.Offset ? [] : await pageAsync();
                return new Page<CustomerDto>(rows, found, page.Offset, page.Limit, !query.ExactTotal && found == Counting.Cap);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }

        Task<List<CustomerDto>> SortedPage() => CustomerFilters.Sort(filtered, query.Sort, defaultSort, custom)
            .Skip(page.Offset).Take(page.Limit).Select(ToDto).ToListAsync(ct);
        if (unfiltered)
        {
            var all = await RowCounts.ReadAsync(db, RowCount.Customers, ct);
            var rows = all == 0 ? [] : sort == "-created_at" ? await NewestFirstQuery.For(db)(db, page.Offset, page.Limit).ToListAsync(ct) : await SortedPage();
            return new Page<CustomerDto>(rows, all, page.Offset, page.Limit);
        }
        // A filtered total: kept from an earlier count while the table is unchanged (PostgreSQL), or known from a first
        // page with room to spare (it holds every match), else counted.
        var ticket = await versionedCounts.LookUpAsync(db, RowCount.Customers, CountKey(query, custom), ct);
        if (ticket is { Known: true } known)
        {
            return new Page<CustomerDto>(known.Total == 0 ? [] : await SortedPage(), known.Total, page.Offset, page.Limit, known.Capped);
        }
        var items = await SortedPage();
        var (total, capped) = page.Offset == 0 && items.Count < page.Limit ? (items.Count, false)
            : await Counting.CountAsync(filtered, query.ExactTotal, ct);
        versionedCounts.Remember(ticket, total, capped);
        return new Page<CustomerDto>(items, total, page.Offset, page.Limit, capped);
    }

    /// <summary>
    /// Widest walk of the creation-time index for a page of a contains search, in rows (PostgreSQL; see
    /// docs/decisions/0004-fts5-creation-ordered-index.md).
    /// </summary>
    private const long MaxCreationWindow = 200_000;

    /// <summary>
    /// A contains (ends-with) search's page in creation order from a walk of the creation-time index (PostgreSQL), when
    /// the matches are common enough that the walk finds the page soon: the total first (kept at the table's version),
    /// then a window four times as wide as the page needs at the matches' density. Null when the provider has no walk,
    /// the window would be too wide (few matches: the trigram index serves those well) or it held too few matches.
    /// </summary>
    private async Task<Page<CustomerDto>?> CreationWindowPageAsync(AppDbContext db, CustomerQuery query, IReadOnlyList<FieldDefinition> custom,
        IReadOnlyList<FilterTerm> terms, string column, string text, bool endsWith, bool newestFirst, CancellationToken ct)
    {
        var page = query.Page;
        if (dialect.SubstringCreationWindow(db.Customers, column, text, endsWith, 1, 1, newestFirst) is null)
        {
            return null;
        }
        var ticket = await versionedCounts.LookUpAsync(db, RowCount.Customers, CountKey(query, custom), ct);
        var (found, capped) = ticket is { Known: true } known ? (known.Total, known.Capped)
            : await Counting.CountAsync(CustomerFilters.Apply(db.Customers.AsNoTracking(), terms, custom), query.ExactTotal, ct);
        versionedCounts.Remember(ticket, found, capped);
        if (found <= page.Offset)
        {
            return new Page<CustomerDto>([], found, page.Offset, page.Limit, capped);
        }
        var wanted = page.Offset + page.Limit;
        var all = await RowCounts.ReadAsync(db, RowCount.Customers, ct);
        var window = 4L * Math.Min(wanted, found) * Math.Max(all, found) / found;
        if (window > MaxCreationWindow)
        {
            return null;
        }
        var candidates = dialect.SubstringCreationWindow(db.Customers, column, text, endsWith, (int)Math.Max(window, wanted), wanted, newestFirst)!;
        var rows = await CustomerFilters.Sort(CustomerFilters.Apply(candidates.AsNoTracking(), terms, custom), newestFirst ? "-created_at" : "created_at", DefaultSort, custom)
            .Skip(page.Offset).Take(page.Limit).Select(ToDto).ToListAsync(ct);
        return rows.Count == Math.Min(page.Limit, found - page.Offset) ? new Page<CustomerDto>(rows, found, page.Offset, page.Limit, capped) : null;
    }

    /// <summary>Everything a filtered list's total depends on besides the rows: the filter, the one box, the password choice, exact or capped, and the custom fields' definitions.</summary>
    private static string CountKey(CustomerQuery query, IReadOnlyList<FieldDefinition> custom) =>
        string.Join('\u001f', query.Filter?.Trim(), query.Search?.Trim(), query.HasPassword, query.ExactTotal,
            string.Join(',', custom.Select(f => $"{f.Id}:{f.Slug}:{f.Type}")));

    /// <summary>
    /// The customers a query's filter, one-box search and password choice match, unsorted and unpaged: what the list
    /// pages through, and what bulk actions and exports act on. The caller has checked the role.
    /// </summary>
    internal async Task<(IQueryable<Customer> Matching, IReadOnlyList<FieldDefinition> Custom, bool Unfiltered)> MatchingAsync(
        AppDbContext db, CustomerQuery query, CancellationToken ct)
    {
        var custom = await customFields.EnabledFieldsAsync(Flow.Customers, ct);
        var terms = CustomerFilters.SchemaFor(custom).Parse(query.Filter);
        // A contains/ends-with search starts from the provider's substring index (SQLite: FTS5 trigram) when it has one.
        IQueryable<Customer> source;
        if (query.Search?.Trim() is { Length: > 0 } whole && LooksLikeWholeEmail(whole))
        {
            // A whole address pasted in: that customer (or the reference), by the unique email index.
            var email = Customer.Normalize(CustomerFilters.EmailValue(whole));
            source = db.Customers.Where(c => c.NormalizedEmail == email || c.ExternalRef == whole);
        }
        else if (query.Search?.Trim() is { Length: > 0 } quick)
        {
            var name = Customer.FoldName(quick);
            var email = Customer.Normalize(CustomerFilters.EmailValue(quick));
            source = (dialect.SubstringAnySource(db.Customers, QuickColumns(name, email), nameof(Customer.ExternalRef), quick) ?? db.Customers)
                .Where(QuickMatch(name, email, quick));
        }
        else
        {
            source = CustomerFilters.SubstringTerm(terms) is { } substring
                ? dialect.SubstringSource(db.Customers, substring.Column, substring.Text) ?? db.Customers
                : db.Customers;
        }
        var filtered = CustomerFilters.Apply(source.AsNoTracking(), terms, custom);
        if (query.HasPassword is { } hasPassword)
        {
            filtered = hasPassword ? filtered.Where(c => c.PasswordHash != null) : filtered.Where(c => c.PasswordHash == null);
        }
        var unfiltered = terms.Count == 0 && query.HasPassword is null && string.IsNullOrWhiteSpace(query.Search);
        return (filtered, custom, unfiltered);
    }

    /// <summary>The one box's columns with their folded texts: a name or an email containing what was typed.</summary>
    private static (string Column, string Text)[] QuickColumns(string name, string email) =>
        [(nameof(Customer.NormalizedName), name), (nameof(Customer.NormalizedEmail), email)];

    /// <summary>The one box's test: the folded name or email contains the text, or the external reference is exactly it.</summary>
    private static System.Linq.Expressions.Expression<Func<Customer, bool>> QuickMatch(string name, string email, string quick) =>
        c => c.NormalizedName.Contains(name) || c.NormalizedEmail.Contains(email) || c.ExternalRef == quick;

    /// <summary>The console's one box alone (no filter, no password choice), not a whole email, in creation order: its folded texts.</summary>
    private static (string Name, string Email, string Quick)? OneBox(CustomerQuery query, bool unfiltered, string sort) =>
        unfiltered && query.HasPassword is null && sort is "-created_at" or "created_at"
        && query.Search?.Trim() is { Length: > 0 } quick && !LooksLikeWholeEmail(quick)
            ? (Customer.FoldName(quick), Customer.Normalize(CustomerFilters.EmailValue(quick)), quick)
            : null;

    private static bool LooksLikeWholeEmail(string text) =>
        text.IndexOf('@') is > 0 and var at && text.IndexOf('.', at) > at + 1 && !text.EndsWith('.') && !text.Contains(' ');

    /// <summary>The customer, or null when it does not exist or is another customer than a customer token's own.</summary>
    public async Task<CustomerDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: false))
        {
            return null;
        }
        if (lookup.Serves)
        {
            return await lookup.ByIdAsync(id, ct);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ById(db, id, ct);
    }

    /// <summary>The names of those of <paramref name="ids"/> that still exist, in one query (pages that list other things naming customers).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(ClaimsPrincipal user, IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
    }

    /// <summary>Is this email taken (any letter case)? Optionally ignoring one customer, the one being edited.</summary>
    private async Task<bool> EmailExistsAsync(string email, Guid? except = null, CancellationToken ct = default)
    {
        var normalized = Customer.Normalize(email);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Customers.AnyAsync(c => c.NormalizedEmail == normalized && !c.EmailShared && c.Id != except, ct);
    }

    /// <summary>
    /// Registers a customer. With <paramref name="shareEmail"/> (a first sign-in through a provider, EP's duplicate_email_policy
    /// allowed) a taken email is shared instead of refused: the new customer signs in through the provider only.
    /// </summary>
    public async Task<Outcome<CustomerDto>> CreateAsync(ClaimsPrincipal user, CustomerInput input, CancellationToken ct = default, bool shareEmail = false)
    {
        Access.Require(user, Permission.RegisterCustomers);
        await validator.ValidateAndThrowAsync(input, ct);
        RefuseStoreOnlyFields(user, input, current: null);

        var now = clock.UtcNow();
        var customer = new Customer
        {
            Id = Guid.CreateVersion7(),
            ExternalRef = NullIfBlank(input.ExternalRef),
            CreatedAt = now,
            UpdatedAt = now,
            Version = Guid.NewGuid(),
        };
        customer.SetName(input.Name);
        customer.SetEmail(input.Email);
        customer.CustomData = await customFields.MergeAsync(Flow.Customers, null, input.Custom, creating: true, ct, byStore: Access.ActsForStore(user));
        // A taken email is answered before hashing: PBKDF2 costs ~0.1 s of CPU, which nobody should get for free.
        if (await EmailExistsAsync(customer.Email, ct: ct))
        {
            if (!shareEmail)
            {
                return Outcome.Duplicate<CustomerDto>(nameof(CustomerInput.Email), EmailTakenMessage);
            }
            customer.EmailShared = true;
        }
        if (!string.IsNullOrEmpty(input.Password))
        {
            // Hash before touching the database for writing: SQLite has a single writer.
            customer.PasswordHash = hasher.HashPassword(customer, input.Password);
        }
        // Two creates may race past the check above; the unique index decides.
        if (groupCommit.Serves)
        {
            // SQLite: concurrent creates share a commit (one sync for all of them).
            return await Saving.SaveOrConflictAsync(() => groupCommit.InsertAsync(customer, ct), () => ToDtoCompiled(customer),
                nameof(CustomerInput.Email), EmailTakenMessage);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Customers.Add(customer);
        return await db.SaveOrConflictAsync(() => ToDtoCompiled(customer), ct, nameof(CustomerInput.Email), EmailTakenMessage);
    }

    /// <summary>
    /// Saves <paramref name="input"/> over the customer. With <paramref name="expectedVersion"/> (the version the
    /// editor loaded) a save over someone else's newer change is refused instead of overwriting it.
    /// </summary>
    public async Task<Outcome<CustomerDto>> UpdateAsync(ClaimsPrincipal user, Guid id, CustomerInput input,
        Guid? expectedVersion, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: true))
        {
            return Outcome.NotFound<CustomerDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (Saving.IsStale(customer, expectedVersion, out Outcome<CustomerDto> stale))
        {
            return stale;
        }
        if (Customer.Normalize(input.Email) != customer.NormalizedEmail
            && await EmailExistsAsync(input.Email, except: id, ct))
        {
            return Outcome.Duplicate<CustomerDto>(nameof(CustomerInput.Email), EmailTakenMessage);
        }

        RefuseStoreOnlyFields(user, input, customer.ExternalRef);
        var newPassword = !string.IsNullOrEmpty(input.Password);
        if (newPassword && Access.CustomerIdOf(user) is not null)
        {
            // A stolen customer token must not be enough to take the account over.
            if (string.IsNullOrEmpty(input.CurrentPassword))
            {
                throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(CustomerInput.CurrentPassword), CurrentPasswordNeeded)]);
            }
            if (customer.PasswordHash is null || hasher.VerifyHashedPassword(customer, customer.PasswordHash, input.CurrentPassword) == PasswordVerificationResult.Failed)
            {
                throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(CustomerInput.CurrentPassword), CurrentPasswordWrong)]);
            }
        }
        customer.CustomData = await customFields.MergeAsync(Flow.Customers, customer.CustomData, input.Custom, creating: false, ct, byStore: Access.ActsForStore(user));
        customer.SetName(input.Name);
        var newEmail = Customer.Normalize(input.Email) != customer.NormalizedEmail;
        if (newEmail)
        {
            // A new email is the customer's own: unique like any other.
            customer.EmailShared = false;
        }
        customer.SetEmail(input.Email);
        customer.ExternalRef = NullIfBlank(input.ExternalRef);
        if (newPassword)
        {
            customer.PasswordHash = hasher.HashPassword(customer, input.Password!);
        }
        customer.UpdatedAt = clock.UtcNow();
        customer.Version = Guid.NewGuid();
        if (!newPassword && !newEmail)
        {
            return await db.SaveOrConflictAsync(() => ToDtoCompiled(customer), ct, nameof(CustomerInput.Email), EmailTakenMessage);
        }
        // New credentials end the customer's other tokens, in the same transaction as the change (the caller's own
        // token, when the customer changed them, goes on working).
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await EndTokensAsync(db, id, keep: Access.CustomerTokenIdOf(user), ct);
        var saved = await db.SaveOrConflictAsync(() => ToDtoCompiled(customer), ct, nameof(CustomerInput.Email), EmailTakenMessage);
        if (saved.IsOk)
        {
            await tx.CommitAsync(ct);
        }
        return saved;
    }

    /// <summary>Ends every customer token of the customer: "sign out everywhere" (staff, or a server).</summary>
    public async Task<Outcome<int>> SignOutEverywhereAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var name = await db.Customers.Where(c => c.Id == id).Select(c => c.Name).FirstOrDefaultAsync(ct);
        if (name is null)
        {
            return Outcome.NotFound<int>();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ended = await EndTokensAsync(db, id, keep: null, ct);
        db.RecordChange(id, "customer", id, ChangeKinds.SignIn, ChangeActions.SignedOut, name,
            new Dictionary<string, (string?, string?)> { ["tokens"] = (ended.ToString(System.Globalization.CultureInfo.InvariantCulture), "0") });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ended;
    }

    private static Task<int> EndTokensAsync(AppDbContext db, Guid customerId, Guid? keep, CancellationToken ct) =>
        db.CustomerTokens.Where(t => t.CustomerId == customerId && t.Id != keep).ExecuteDeleteAsync(ct);

    /// <summary>Storefronts and customers may not set what only the store sets: external_ref (custom fields check their own flag).</summary>
    private static void RefuseStoreOnlyFields(ClaimsPrincipal user, CustomerInput input, string? current)
    {
        if (!Access.ActsForStore(user) && NullIfBlank(input.ExternalRef) != current)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(CustomerInput.ExternalRef), StoreOnlyExternalRef)]);
        }
    }

    /// <summary>Sets or replaces the password only; the rest of the customer is left as it is.</summary>
    public async Task<Outcome<CustomerDto>> SetPasswordAsync(ClaimsPrincipal user, Guid id, string password,
        Guid? expectedVersion, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: true))
        {
            return Outcome.NotFound<CustomerDto>();
        }
        var problem = PasswordPolicy.Check(password);
        if (problem is not null)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(CustomerInput.Password), problem)]);
        }
        var hash = hasher.HashPassword(DummyCustomer, password);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (Saving.IsStale(customer, expectedVersion, out Outcome<CustomerDto> stale))
        {
            return stale;
        }
        customer.PasswordHash = hash;
        customer.UpdatedAt = clock.UtcNow();
        customer.Version = Guid.NewGuid();
        // A new password (set by staff) ends every token the customer had.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await EndTokensAsync(db, id, keep: null, ct);
        var saved = await db.SaveOrConflictAsync(() => ToDtoCompiled(customer), ct);
        if (saved.IsOk)
        {
            await tx.CommitAsync(ct);
        }
        return saved;
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: true))
        {
            return false;
        }
        // Recorded with what the customer was; the database cascades to addresses and tokens.
        return await Saving.RemoveAsync(dbFactory, db => db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct), ct);
    }

    /// <summary>
    /// Checks a customer's password; null for an unknown email, no password or a wrong one alike. This is the sign-in
    /// primitive behind POST /v2/customers/tokens (rate-limited there), so it asks no role.
    /// </summary>
    public async Task<Guid?> VerifyPasswordAsync(string email, string password, CancellationToken ct = default)
    {
        var normalized = Customer.Normalize(email);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.NormalizedEmail == normalized && !c.EmailShared, ct);
        if (customer?.PasswordHash is null)
        {
            // Spend the same time as a real check so response times do not reveal which emails exist.
            hasher.VerifyHashedPassword(DummyCustomer, DummyHash.Value, password);
            return null;
        }
        var result = hasher.VerifyHashedPassword(customer, customer.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // The same password under today's hashing parameters: no change to record.
            using var unrecorded = ChangeContext.Unrecorded();
            customer.PasswordHash = hasher.HashPassword(customer, password);
            await db.SaveChangesAsync(ct);
        }
        return customer.Id;
    }

    private static readonly Customer DummyCustomer = new();
    private readonly Lazy<string> DummyHash = new(() => hasher.HashPassword(DummyCustomer, Guid.NewGuid().ToString()));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    internal static readonly System.Linq.Expressions.Expression<Func<Customer, CustomerDto>> ToDto = c =>
        new CustomerDto(c.Id, c.Name, c.Email, c.PasswordHash != null, c.ExternalRef, c.CreatedAt, c.UpdatedAt, c.Version, c.CustomData,
            c.OrderCount, c.OrdersTotal, c.LastOrderAt);

    private static readonly Func<Customer, CustomerDto> ToDtoCompiled = ToDto.Compile();

    // The hot reads, compiled once per model: no LINQ translation or query-cache lookup per request.
    // The API's most frequent read.
    private static readonly PerModel<Func<AppDbContext, Guid, CancellationToken, Task<CustomerDto?>>> ByIdQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, Guid id, CancellationToken ct) =>
            db.Set<Customer>().AsNoTracking().Where(c => c.Id == id).Select(ToDto).FirstOrDefault()));

    // The list's default page (the API's and the console's first request): the order CustomerFilters.Sort gives "-created_at".
    private static readonly PerModel<Func<AppDbContext, int, int, IAsyncEnumerable<CustomerDto>>> NewestFirstQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, int skip, int take) =>
            db.Set<Customer>().AsNoTracking().OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(skip).Take(take).Select(ToDto)));

    // "Does this email exist?". Several customers can share an email (EP's duplicate_email_policy), so the lookup pages
    // and counts like the list.
    private static readonly PerModel<Func<AppDbContext, string, int, int, IAsyncEnumerable<CustomerDto>>> EmailPageQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string email, int skip, int take) =>
            db.Set<Customer>().AsNoTracking().Where(c => c.NormalizedEmail == email)
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip(skip).Take(take).Select(ToDto)));

    private static readonly PerModel<Func<AppDbContext, string, CancellationToken, Task<int>>> EmailCountQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string email, CancellationToken ct) => db.Set<Customer>().Count(c => c.NormalizedEmail == email)));

    private static Task<CustomerDto?> ById(AppDbContext db, Guid id, CancellationToken ct) => ByIdQuery.For(db)(db, id, ct);

    /// <summary>A filter that is one contains or ends-with term on name or email, in creation order: its terms, column and folded text.</summary>
    private static (IReadOnlyList<FilterTerm> Terms, string Column, string Text, bool EndsWith)? OneSubstring(CustomerQuery query,
        IReadOnlyList<FieldDefinition> custom, string sort)
    {
        if (!string.IsNullOrWhiteSpace(query.Search) || query.HasPassword is not null || sort is not ("-created_at" or "created_at")
            || CustomerFilters.SchemaFor(custom).Parse(query.Filter) is not [{ Op: "like", Field: "name" or "email" } term] terms
            || LikePattern.Read(term.Value).Kind is not (LikeKind.Contains or LikeKind.EndsWith) || CustomerFilters.SubstringTerm(terms) is not { } substring)
        {
            return null;
        }
        return (terms, substring.Column, substring.Text, LikePattern.Read(term.Value).Kind == LikeKind.EndsWith);
    }

    /// <summary>The normalized email when the query is just <c>eq(email,…)</c> in the default order, else null.</summary>
    private static string? OneEmail(CustomerQuery query, IReadOnlyList<FieldDefinition> custom, string sort) =>
        string.IsNullOrWhiteSpace(query.Search) && query.HasPassword is null && sort == "-created_at"
        && CustomerFilters.SchemaFor(custom).Parse(query.Filter) is [{ Op: "eq", Field: "email" } term]
            ? Customer.Normalize(CustomerFilters.EmailValue(term.Value))
            : null;
}

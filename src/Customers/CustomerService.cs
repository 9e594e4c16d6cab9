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
    ICustomerStore store,
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
        return await store.ListAsync(query, defaultSort, ct);
    }

    /// <summary>
    /// The customers a query's filter, one-box search and password choice match, unsorted and unpaged: what the list
    /// pages through, and what bulk actions and exports act on. The caller has checked the role.
    /// </summary>
    internal Task<(IQueryable<Customer> Matching, IReadOnlyList<FieldDefinition> Custom, bool Unfiltered)> MatchingAsync(
        AppDbContext db, CustomerQuery query, CancellationToken ct) => store.MatchingAsync(db, query, ct);

    /// <summary>The customer, or null when it does not exist or is another customer than a customer token's own.</summary>
    public async Task<CustomerDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: false))
        {
            return null;
        }
        return await store.ByIdAsync(id, ct);
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
        return await Saving.SaveOrConflictAsync(() => store.InsertAsync(customer, ct), () => ToDtoCompiled(customer),
            nameof(CustomerInput.Email), EmailTakenMessage);
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
}

using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
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
    string? CustomData = null);

public sealed class CustomerService(
    IDbContextFactory<AppDbContext> dbFactory,
    IValidator<CustomerInput> validator,
    IPasswordHasher<Customer> hasher,
    CustomFieldValues customFields,
    TimeProvider clock)
{
    public const string EmailTakenMessage = "A customer with this email already exists.";
    public const string DefaultSort = "-created_at";

    public async Task<Page<CustomerDto>> ListAsync(ClaimsPrincipal user, CustomerQuery query,
        string defaultSort = DefaultSort, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var terms = CustomerFilters.Schema.Parse(query.Filter);
        var page = query.Page;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filtered = CustomerFilters.Apply(db.Customers.AsNoTracking(), terms);
        if (query.HasPassword is { } hasPassword)
        {
            filtered = hasPassword ? filtered.Where(c => c.PasswordHash != null) : filtered.Where(c => c.PasswordHash == null);
        }
        var unfiltered = terms.Count == 0 && query.HasPassword is null;
        var (total, capped) = unfiltered ? (await RowCounts.ReadAsync(db, RowCount.Customers, ct), false)
            : await Counting.CountAsync(filtered, query.ExactTotal, ct);
        var items = total == 0 ? [] : await CustomerFilters.Sort(filtered, query.Sort, defaultSort)
            .Skip(page.Offset).Take(page.Limit)
            .Select(ToDto)
            .ToListAsync(ct);
        return new Page<CustomerDto>(items, total, page.Offset, page.Limit, capped);
    }

    /// <summary>The customer, or null when it does not exist or is another customer than a customer token's own.</summary>
    public async Task<CustomerDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Customers.AsNoTracking().Where(c => c.Id == id).Select(ToDto).FirstOrDefaultAsync(ct);
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
        customer.CustomData = await customFields.MergeAsync(Flow.Customers, null, input.Custom, creating: true, ct);
        if (!string.IsNullOrEmpty(input.Password))
        {
            // Hash before touching the database: PBKDF2 takes ~0.1 s and SQLite has a single writer.
            customer.PasswordHash = hasher.HashPassword(customer, input.Password);
        }

        if (await EmailExistsAsync(customer.Email, ct: ct))
        {
            if (!shareEmail)
            {
                return Outcome.Duplicate<CustomerDto>(nameof(CustomerInput.Email), EmailTakenMessage);
            }
            customer.EmailShared = true;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Customers.Add(customer);
        // Two creates may race past the check above; the unique index decides.
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

        customer.CustomData = await customFields.MergeAsync(Flow.Customers, customer.CustomData, input.Custom, creating: false, ct);
        customer.SetName(input.Name);
        if (Customer.Normalize(input.Email) != customer.NormalizedEmail)
        {
            // A new email is the customer's own: unique like any other.
            customer.EmailShared = false;
        }
        customer.SetEmail(input.Email);
        customer.ExternalRef = NullIfBlank(input.ExternalRef);
        if (!string.IsNullOrEmpty(input.Password))
        {
            customer.PasswordHash = hasher.HashPassword(customer, input.Password);
        }
        customer.UpdatedAt = clock.UtcNow();
        customer.Version = Guid.NewGuid();
        return await db.SaveOrConflictAsync(() => ToDtoCompiled(customer), ct, nameof(CustomerInput.Email), EmailTakenMessage);
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
        return await db.SaveOrConflictAsync(() => ToDtoCompiled(customer), ct);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, id, write: true))
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Customers.Where(c => c.Id == id).ExecuteDeleteAsync(ct) > 0;
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
            customer.PasswordHash = hasher.HashPassword(customer, password);
            await db.SaveChangesAsync(ct);
        }
        return customer.Id;
    }

    private static readonly Customer DummyCustomer = new();
    private readonly Lazy<string> DummyHash = new(() => hasher.HashPassword(DummyCustomer, Guid.NewGuid().ToString()));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    internal static readonly System.Linq.Expressions.Expression<Func<Customer, CustomerDto>> ToDto = c =>
        new CustomerDto(c.Id, c.Name, c.Email, c.PasswordHash != null, c.ExternalRef, c.CreatedAt, c.UpdatedAt, c.Version, c.CustomData);

    private static readonly Func<Customer, CustomerDto> ToDtoCompiled = ToDto.Compile();
}

using System.Linq.Expressions;
using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Addresses;

public sealed record AddressDto(
    Guid Id,
    Guid CustomerId,
    string? Name,
    PostalAddress Postal,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid Version,
    string? CustomData = null)
{
    public AddressInput ToInput() => AddressInput.From(Postal, Name);
}

/// <summary>
/// A customer's addresses, for staff acting on the customer's behalf and (through the API) for the customer
/// themselves. No UI logic here: the console and the API call the same methods.
/// </summary>
public sealed class AddressService(IDbContextFactory<AppDbContext> dbFactory, IValidator<AddressInput> validator,
    CustomFieldValues customFields, TimeProvider clock)
{
    /// <summary>The customer's addresses, oldest first; null when the customer does not exist (or is not the caller's).</summary>
    public async Task<Page<AddressDto>?> ListAsync(ClaimsPrincipal user, Guid customerId, int offset = 0, int limit = PageRequest.MaxLimit,
        CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: false))
        {
            return null;
        }
        var page = new PageRequest(offset, limit).Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            return null;
        }
        var query = db.Addresses.AsNoTracking().Where(a => a.CustomerId == customerId);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Skip(page.Offset).Take(page.Limit)
            .Select(ToDto).ToListAsync(ct);
        return new Page<AddressDto>(items, total, page.Offset, page.Limit);
    }

    public async Task<AddressDto?> GetAsync(ClaimsPrincipal user, Guid customerId, Guid addressId, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Addresses.AsNoTracking()
            .Where(a => a.Id == addressId && a.CustomerId == customerId)
            .Select(ToDto).FirstOrDefaultAsync(ct);
    }

    public async Task<Outcome<AddressDto>> CreateAsync(ClaimsPrincipal user, Guid customerId, AddressInput input, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: true))
        {
            return Outcome.NotFound<AddressDto>();
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            return Outcome.NotFound<AddressDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);
        if (await db.Addresses.CountAsync(a => a.CustomerId == customerId, ct) >= AddressLimits.PerCustomer)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("Addresses",
                $"A customer keeps at most {AddressLimits.PerCustomer} addresses: delete one first.")]);
        }
        var now = clock.UtcNow();
        var address = new Address { Id = Guid.CreateVersion7(), CustomerId = customerId, CreatedAt = now };
        address.CustomData = await customFields.MergeAsync(Flow.Addresses, null, input.Custom, creating: true, ct, byStore: Access.ActsForStore(user));
        Apply(address, input, now);
        db.Add(address);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsForeignKeyViolation(ex))
        {
            // The customer was deleted between the check and the insert.
            return Outcome.NotFound<AddressDto>();
        }
        return ToDtoCompiled(address);
    }

    /// <summary>Replaces the address's fields; with <paramref name="expectedVersion"/> a stale edit is refused.</summary>
    public async Task<Outcome<AddressDto>> UpdateAsync(ClaimsPrincipal user, Guid customerId, Guid addressId, AddressInput input,
        Guid? expectedVersion, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: true))
        {
            return Outcome.NotFound<AddressDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.Addresses.FirstOrDefaultAsync(a => a.Id == addressId && a.CustomerId == customerId, ct);
        if (Saving.IsStale(address, expectedVersion, out Outcome<AddressDto> stale))
        {
            return stale;
        }
        address.CustomData = await customFields.MergeAsync(Flow.Addresses, address.CustomData, input.Custom, creating: false, ct, byStore: Access.ActsForStore(user));
        Apply(address, input, clock.UtcNow());
        return await db.SaveOrConflictAsync(() => ToDtoCompiled(address), ct);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid customerId, Guid addressId, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: true))
        {
            return false;
        }
        return await Saving.RemoveAsync(dbFactory, db => db.Addresses.FirstOrDefaultAsync(a => a.Id == addressId && a.CustomerId == customerId, ct), ct);
    }

    private static void Apply(Address a, AddressInput input, DateTime now)
    {
        a.Name = AddressInput.Clean(input.Name);
        a.Postal = input.ToPostal();
        // A saved address's county is required: an empty one is refused by the validator before this.
        a.Postal.County ??= "";
        a.UpdatedAt = now;
        a.Version = Guid.NewGuid();
    }

    internal static readonly Expression<Func<Address, AddressDto>> ToDto = a => new AddressDto(a.Id, a.CustomerId, a.Name, a.Postal,
        a.CreatedAt, a.UpdatedAt, a.Version, a.CustomData);

    private static readonly Func<Address, AddressDto> ToDtoCompiled = ToDto.Compile();
}

using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Common;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Orders;

public sealed class CartItemInput
{
    /// <summary>Only "custom_item": there is no product catalogue.</summary>
    public string? Type { get; set; } = "custom_item";
    public string? Name { get; set; }
    public string? Sku { get; set; }
    public string? Description { get; set; }
    public int Quantity { get; set; } = 1;
    /// <summary>Unit price in minor units.</summary>
    public long? Price { get; set; }
}

public sealed class CartItemInputValidator : AbstractValidator<CartItemInput>
{
    public CartItemInputValidator()
    {
        RuleFor(x => x.Type).Must(t => t is null or "custom_item").WithMessage("Only custom items (type custom_item) can be added.");
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.")
            .MaximumLength(255).WithMessage("Name must be at most 255 characters.");
        RuleFor(x => x.Sku).Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage("SKU is required.")
            .MaximumLength(255).WithMessage("SKU must be at most 255 characters.");
        RuleFor(x => x.Description).MaximumLength(1000).WithMessage("Description must be at most 1000 characters.");
        RuleFor(x => x.Quantity).InclusiveBetween(1, CartLimits.MaxQuantity)
            .WithMessage($"Quantity must be between 1 and {CartLimits.MaxQuantity:N0}.");
        RuleFor(x => x.Price).NotNull().WithMessage("Price amount is required.")
            .InclusiveBetween(0, CartLimits.MaxUnitPrice).WithMessage("Price amount must be between 0 and 1,000,000,000 minor units.");
    }
}

public sealed record CartItemDto(Guid Id, string Name, string Sku, string? Description, int Quantity, long UnitPrice, long LineTotal, DateTime CreatedAt);

public sealed record CartDto(string Reference, IReadOnlyList<CartItemDto> Items, long Total, string Currency, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Carts of custom items, named by the storefront's own reference.</summary>
public sealed class CartService(IDbContextFactory<AppDbContext> dbFactory, IValidator<CartItemInput> validator,
    IOptions<StoreSettings> store, TimeProvider clock)
{
    public static bool IsValidReference(string reference) =>
        reference.Length is > 0 and <= CartLimits.Reference && reference.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The cart, empty when the storefront has not added anything yet (as in EP, any reference names a cart).</summary>
    public async Task<CartDto> GetAsync(ClaimsPrincipal user, string reference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.AsNoTracking().Include(c => c.Items).FirstOrDefaultAsync(c => c.Reference == reference, ct);
        var now = clock.UtcNow();
        return cart is null ? new CartDto(reference, [], 0, store.Value.Currency, now, now) : ToDto(cart);
    }

    /// <summary>Adds a custom item; the same SKU again adds to its quantity.</summary>
    public async Task<CartDto> AddItemAsync(ClaimsPrincipal user, string reference, CartItemInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await validator.ValidateAndThrowAsync(input, ct);
        var now = clock.UtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.Include(c => c.Items).FirstOrDefaultAsync(c => c.Reference == reference, ct);
        if (cart is null)
        {
            cart = new Cart { Reference = reference, CreatedAt = now };
            db.Carts.Add(cart);
        }
        var sku = input.Sku!.Trim();
        var existing = cart.Items.FirstOrDefault(i => i.Sku == sku && i.UnitPrice == input.Price);
        if (existing is not null)
        {
            existing.Quantity = Math.Min(CartLimits.MaxQuantity, existing.Quantity + input.Quantity);
        }
        else
        {
            if (cart.Items.Count >= CartLimits.MaxItems)
            {
                throw new ValidationException([new FluentValidation.Results.ValidationFailure("Items", $"A cart holds at most {CartLimits.MaxItems} different items.")]);
            }
            var item = new CartItem
            {
                Id = Guid.CreateVersion7(), CartReference = reference, Name = input.Name!.Trim(), Sku = sku,
                Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim(),
                Quantity = input.Quantity, UnitPrice = input.Price!.Value, CreatedAt = now,
            };
            cart.Items.Add(item);
            // Added explicitly: EF would take a new item with its key already set for an existing row.
            db.Add(item);
        }
        cart.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return ToDto(cart);
    }

    public async Task<CartDto?> RemoveItemAsync(ClaimsPrincipal user, string reference, Guid itemId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var removed = await db.Set<CartItem>().Where(i => i.Id == itemId && i.CartReference == reference).ExecuteDeleteAsync(ct);
        return removed == 0 ? null : await GetAsync(user, reference, ct);
    }

    /// <summary>Sets an item's quantity; 0 removes it. Null when the item is not in the cart.</summary>
    public async Task<CartDto?> SetQuantityAsync(ClaimsPrincipal user, string reference, Guid itemId, int quantity, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        if (quantity is < 0 or > CartLimits.MaxQuantity)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(CartItemInput.Quantity),
                $"Quantity must be between 0 and {CartLimits.MaxQuantity:N0}.")]);
        }
        if (quantity == 0)
        {
            return await RemoveItemAsync(user, reference, itemId, ct);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var updated = await db.Set<CartItem>().Where(i => i.Id == itemId && i.CartReference == reference)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Quantity, quantity), ct);
        return updated == 0 ? null : await GetAsync(user, reference, ct);
    }

    public async Task<CartDto> RemoveAllItemsAsync(ClaimsPrincipal user, string reference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.Set<CartItem>().Where(i => i.CartReference == reference).ExecuteDeleteAsync(ct);
        }
        return await GetAsync(user, reference, ct);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, string reference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Carts.Where(c => c.Reference == reference).ExecuteDeleteAsync(ct) > 0;
    }

    private CartDto ToDto(Cart cart)
    {
        var items = cart.Items.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id)
            .Select(i => new CartItemDto(i.Id, i.Name, i.Sku, i.Description, i.Quantity, i.UnitPrice, i.UnitPrice * i.Quantity, i.CreatedAt))
            .ToList();
        return new CartDto(cart.Reference, items, items.Sum(i => i.LineTotal), store.Value.Currency, cart.CreatedAt, cart.UpdatedAt);
    }
}

using System.Net;
using CommerceManager.Addresses;
using CommerceManager.Api;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Api;

/// <summary>What someone holding only the public client id could otherwise do at no cost to themselves.</summary>
public sealed class AbuseLimitsTests
{
    [Fact]
    public async Task Registration_is_limited_per_address_with_Retry_After_and_servers_are_not_counted()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["RateLimits:RegistrationsPerIpPerMinute"] = "3" });
        var storefront = await ApiClient.ImplicitAsync(app);
        var server = await ApiClient.ClientCredentialsAsync(app);

        for (var i = 0; i < 3; i++)
        {
            await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers", new { type = "customer", name = "N", email = $"r{i}.{Guid.NewGuid():N}@example.com" }), HttpStatusCode.Created);
        }
        var limited = await storefront.PostAsync("/v2/customers", new { type = "customer", name = "N", email = $"r.{Guid.NewGuid():N}@example.com" });
        var byServer = await server.PostAsync("/v2/customers", new { type = "customer", name = "N", email = $"s.{Guid.NewGuid():N}@example.com" });

        await ApiClient.ExpectErrorAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await ApiClient.ExpectAsync(byServer, HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_taken_email_is_refused_before_the_password_is_hashed()
    {
        var hashes = new CountingHasher();
        await using var services = await TestServices.CreateAsync(s => s.AddSingleton<IPasswordHasher<Customer>>(hashes));
        var customers = services.Get<CustomerService>();
        await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com", Password = "correct horse battery" });
        var before = hashes.Count;

        var again = await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ADA@example.com", Password = "another long password" });

        Assert.Equal(Common.OutcomeKind.Duplicate, again.Kind);
        Assert.Equal(before, hashes.Count);
    }

    [Fact]
    public async Task A_customer_keeps_at_most_100_addresses_and_a_cart_at_most_100_items()
    {
        await using var services = await TestServices.CreateAsync();
        var customer = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Many", Email = "many@example.com" })).Value!;
        var addresses = services.Get<AddressService>();
        var address = new AddressInput { FirstName = "A", LastName = "B", Line1 = "1 St", Postcode = "AB1", County = "C", Country = "GB" };
        for (var i = 0; i < AddressLimits.PerCustomer; i++)
        {
            Assert.True((await addresses.CreateAsync(As.Admin, customer.Id, address)).IsOk);
        }
        var carts = services.Get<CartService>();
        for (var i = 0; i < CartLimits.MaxItems; i++)
        {
            await carts.AddItemAsync(As.Admin, "full", new CartItemInput { Name = "Item", Sku = $"SKU-{i}", Quantity = 1, Price = 100 });
        }

        var oneAddressTooMany = await Assert.ThrowsAsync<ValidationException>(() => addresses.CreateAsync(As.Admin, customer.Id, address));
        var oneItemTooMany = await Assert.ThrowsAsync<ValidationException>(() => carts.AddItemAsync(As.Admin, "full", new CartItemInput { Name = "Item", Sku = "SKU-X", Quantity = 1, Price = 100 }));

        Assert.Contains("at most 100 addresses", oneAddressTooMany.Message);
        Assert.Contains("at most 100", oneItemTooMany.Message);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::2", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    public void IPv6_clients_are_counted_by_their_64_bit_prefix(string a, string b, bool same) =>
        Assert.Equal(same, ApiRateLimits.ClientKey(IPAddress.Parse(a)) == ApiRateLimits.ClientKey(IPAddress.Parse(b)));

    [Fact]
    public async Task A_pattern_that_could_backtrack_is_refused_by_the_designer_with_a_clear_message()
    {
        await using var services = await TestServices.CreateAsync();
        var designer = services.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);

        var refused = await Assert.ThrowsAsync<ValidationException>(() => designer.CreateFieldAsync(As.Admin, flow.Id,
            new FieldInput { Name = "Code", Slug = "code", Rules = new FieldRules { Pattern = "^(a+)\\1$" } }));
        var fine = await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Code", Slug = "code", Rules = new FieldRules { Pattern = "^(a+)+$" } });

        Assert.Contains("backreferences", refused.Message);
        Assert.True(fine.IsOk);
        Assert.Null(FieldValues.Check(fine.Value!, System.Text.Json.Nodes.JsonValue.Create(new string('a', 50_000)), out _));
    }

    private sealed class CountingHasher : IPasswordHasher<Customer>
    {
        private readonly PasswordHasher<Customer> inner = new();
        public int Count { get; private set; }

        public string HashPassword(Customer user, string password)
        {
            Count++;
            return inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(Customer user, string hashedPassword, string providedPassword) =>
            inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

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

/// <summary>Quotas for what storefronts and staff can queue or open (security.md, row 19).</summary>
public sealed class QuotaTests
{
    [Fact]
    public async Task A_storefront_opens_only_so_many_new_carts_a_minute_and_servers_are_not_counted()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["RateLimits:NewCartsPerIpPerMinute"] = "2" });
        var storefront = await ApiClient.ImplicitAsync(app);
        var server = await ApiClient.ClientCredentialsAsync(app);
        object Item(string sku) => new { type = "custom_item", name = "Mug", sku, quantity = 1, price = new { amount = 500 } };

        await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/carts", new { name = "Cart" }), HttpStatusCode.Created);
        var first = $"cart-{Guid.NewGuid():N}";
        await ApiClient.ExpectAsync(await storefront.PostAsync($"/v2/carts/{first}/items", Item("A")), HttpStatusCode.Created);
        var third = await storefront.PostAsync($"/v2/carts/cart-{Guid.NewGuid():N}/items", Item("A"));
        var another = await storefront.PostAsync("/v2/carts", new { name = "Cart" });

        await ApiClient.ExpectErrorAsync(third, HttpStatusCode.TooManyRequests);
        await ApiClient.ExpectErrorAsync(another, HttpStatusCode.TooManyRequests);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // A cart already open takes items as before, and a server opens what it needs.
        await ApiClient.ExpectAsync(await storefront.PostAsync($"/v2/carts/{first}/items", Item("B")), HttpStatusCode.Created);
        await ApiClient.ExpectAsync(await server.PostAsync($"/v2/carts/cart-{Guid.NewGuid():N}/items", Item("A")), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_staff_member_has_at_most_the_configured_exports_and_imports_waiting_with_a_clear_message()
    {
        await using var services = await TestServices.CreateAsync(s => s.Configure<CommerceManager.Exports.ExportSettings>(o => o.MaxQueuedPerOwner = 2));
        var exports = services.Get<CommerceManager.Exports.ExportService>();
        var request = new CommerceManager.Exports.ExportRequest(CommerceManager.Exports.ExportKind.Customers, CommerceManager.Exports.ExportFormat.Csv, null);
        await exports.CreateAsync(As.Representative, request);
        await exports.CreateAsync(As.Representative, request);

        var third = await Assert.ThrowsAsync<ValidationException>(() => exports.CreateAsync(As.Representative, request));
        Assert.Contains("You already have 2 exports waiting or running", third.Message);
        // Someone else's queue is their own.
        await exports.CreateAsync(As.Admin, request);

        var imports = services.Get<CommerceManager.DataTransfer.ImportService>();
        async Task<CommerceManager.DataTransfer.ImportJob> StartAsync()
        {
            var upload = await imports.UploadAsync(As.Representative, "c.csv", new MemoryStream("name,email\r\nA,a@q.example\r\n"u8.ToArray()));
            return await imports.StartAsync(As.Representative, upload, upload.Guessed, CommerceManager.DataTransfer.ExistingEmail.Skip, dryRun: true);
        }
        await StartAsync();
        await StartAsync();
        var tooMany = await Assert.ThrowsAsync<ValidationException>(StartAsync);
        Assert.Contains("You already have 2 imports waiting or running", tooMany.Message);
    }

    [Fact]
    public async Task A_JSON_Lines_line_over_1_MB_is_refused_with_its_line_number()
    {
        await using var services = await TestServices.CreateAsync();
        var text = "{\"name\":\"Ada\",\"email\":\"ada@q.example\"}\n{\"name\":\"" + new string('x', CommerceManager.DataTransfer.JsonLines.MaxLineChars + 10) + "\"}\n";

        var refused = await Assert.ThrowsAsync<ValidationException>(() => services.Get<CommerceManager.DataTransfer.ImportService>()
            .UploadAsync(As.Representative, "c.jsonl", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text))));

        Assert.Contains("Line 2 is longer than 1 MB", refused.Message);
    }
}

public sealed class OwnerOnlyFilesTests
{
    [Fact]
    public async Task Uploaded_import_files_are_readable_by_the_app_user_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        await using var services = await TestServices.CreateAsync();
        var imports = services.Get<CommerceManager.DataTransfer.ImportService>();

        var upload = await imports.UploadAsync(As.Representative, "c.csv", new MemoryStream("name,email\r\nA,a@q.example\r\n"u8.ToArray()));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(imports.PathOf(upload.FileId)));
    }
}

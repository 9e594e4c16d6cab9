using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

/// <summary>The lists' Export CSV: what a spreadsheet opens, for the rows or the view a staff member chose.</summary>
public sealed class ExportDownloadTests(AppFactory app) : IClassFixture<AppFactory>, IAsyncLifetime
{
    private static readonly string Domain = $"export-{Guid.NewGuid():N}.example";

    public async Task InitializeAsync()
    {
        var designer = app.Services.GetRequiredService<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        if ((await app.Services.GetRequiredService<CustomFieldValues>().FieldsAsync(Flow.Customers)).All(f => f.Slug != "loyalty"))
        {
            await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Loyalty", Slug = "loyalty", Type = FieldType.String });
            app.Services.GetRequiredService<CustomFieldValues>().Invalidate();
        }
        var customers = app.Services.GetRequiredService<CustomerService>();
        if ((await customers.ListAsync(As.Viewer, new CustomerQuery($"like(email,*@{Domain})"))).Total == 0)
        {
            await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Zoë Quote, \"Q\"", Email = $"zoe@{Domain}", ExternalRef = "=1+2",
                Custom = new() { ["loyalty"] = JsonValue.Create("Gold") } });
            await customers.CreateAsync(As.Admin, new CustomerInput { Name = "@Plain Person", Email = $"plain@{Domain}", Password = "a long enough password 1" });
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<string[]> LinesAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]); // UTF-8 with a BOM: spreadsheet apps read the accents
        return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task A_view_downloads_as_csv_with_custom_fields_quoted_text_and_formulas_neutralised()
    {
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);

        var response = await client.GetAsync($"/exports/customers.csv?filter=like(email,*@{Domain})&sort=name");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("attachment; filename=\"customers-", response.Content.Headers.ContentDisposition!.ToString());
        var lines = await LinesAsync(response);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,name,email,external_ref,password_set,created_at,updated_at,order_count,orders_total,last_order_at,", lines[0]);
        Assert.EndsWith(",loyalty", lines[0]);
        Assert.Contains($",'@Plain Person,plain@{Domain},,true,", lines[1]);
        Assert.Contains($",\"Zoë Quote, \"\"Q\"\"\",zoe@{Domain},'=1+2,false,", lines[2]);
        Assert.EndsWith(",Gold", lines[2]);
        Assert.DoesNotContain("AQAAAA", string.Join("\n", lines)); // no password hash, only set / not set
    }

    [Fact]
    public async Task Ticked_rows_download_just_those_and_viewers_may_export_too()
    {
        await app.CreateAsync($"viewer@{Domain}", CommerceManager.Security.Roles.Viewer);
        var client = await app.SignedInClientAsync($"viewer@{Domain}", "staff test password 1");
        var zoe = (await app.Services.GetRequiredService<CustomerService>().ListAsync(As.Viewer, new CustomerQuery($"eq(email,zoe@{Domain})"))).Items.Single();

        var lines = await LinesAsync(await client.GetAsync($"/exports/customers.csv?ids={zoe.Id},{Guid.NewGuid()}"));

        Assert.Equal(2, lines.Length);
        Assert.StartsWith(zoe.Id.ToString(), lines[1]);
    }

    [Fact]
    public async Task Exports_need_a_staff_sign_in_and_a_bad_filter_is_a_plain_error()
    {
        var anonymous = await app.CreateBrowserlessClient().GetAsync("/exports/customers.csv");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString());

        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var bad = await client.GetAsync("/exports/customers.csv?filter=eq(shoe_size,9)");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("shoe_size", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/exports/orders.csv?ids=not-an-id")).StatusCode);
    }

    [Fact]
    public async Task Orders_download_with_amounts_in_the_currency_and_the_number_staff_see()
    {
        var customers = app.Services.GetRequiredService<CustomerService>();
        var zoe = (await customers.ListAsync(As.Viewer, new CustomerQuery($"eq(email,zoe@{Domain})"))).Items.Single();
        var cart = $"export-{Guid.NewGuid():N}";
        await app.Services.GetRequiredService<CartService>().AddItemAsync(As.Representative, cart, new CartItemInput { Name = "Mug", Sku = "MUG-1", Quantity = 3, Price = 1450 });
        var order = (await app.Services.GetRequiredService<CheckoutService>().CheckoutAsync(As.Representative, cart,
            new CheckoutInput { CustomerId = zoe.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing() })).Value!.Order;
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);

        var lines = await LinesAsync(await client.GetAsync($"/exports/orders.csv?filter=eq(customer_id,{zoe.Id})"));

        Assert.Equal(2, lines.Length);
        Assert.Equal(string.Join(",", OrderExport.Columns), lines[0]);
        Assert.StartsWith($"{order.Id},{OrderFormat.ShortId(order.Id)},", lines[1]);
        Assert.Contains($",{zoe.Id},\"Zoë Quote, \"\"Q\"\"\",zoe@{Domain},incomplete,unpaid,unfulfilled,3,USD,43.50,", lines[1]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("=SUM(A1:A9)", "'=SUM(A1:A9)")]
    [InlineData("+44 20 7946 0000", "'+44 20 7946 0000")]
    [InlineData("-12.5", "-12.5")] // a negative number is data
    [InlineData("-cmd", "'-cmd")]
    [InlineData("\tTAB", "'\tTAB")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    public void Fields_are_quoted_and_formulas_neutralised(string value, string expected)
    {
        Assert.Equal(expected, CsvWriter.Field(value));
    }
}

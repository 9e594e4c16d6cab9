using System.Net;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Api;

public sealed class CustomersApiTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    [Fact]
    public async Task Registration_returns_201_with_the_EP_customer_shape()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail();

        var data = await RegisterAsync(client, email, name: "  Ada Lovelace ");

        Assert.Equal("customer", data["type"]!.GetValue<string>());
        Assert.True(Guid.TryParse(data["id"]!.GetValue<string>(), out _));
        Assert.Equal(("Ada Lovelace", email), (data["name"]!.GetValue<string>(), data["email"]!.GetValue<string>()));
        Assert.True(data["password"]!.GetValue<bool>());
        Assert.Null(data["external_ref"]);
        Assert.EndsWith("Z", data["meta"]!["timestamps"]!["created_at"]!.GetValue<string>());
        Assert.DoesNotContain("hash", data.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_taken_email_in_any_case_is_409_on_create_and_update()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);
        var email = UniqueEmail();
        await RegisterAsync(client, email);
        var other = await RegisterAsync(client);

        var create = await ApiClient.ExpectErrorAsync(await client.PostAsync("/v2/customers", new { type = "customer", name = "Twin", email = email.ToUpperInvariant() }), HttpStatusCode.Conflict);
        var update = await ApiClient.ExpectErrorAsync(await client.PutAsync($"/v2/customers/{other["id"]}", new { type = "customer", email = $" {email.ToUpperInvariant()} " }), HttpStatusCode.Conflict);

        Assert.Equal("data.email", create["source"]!.GetValue<string>());
        Assert.Equal("data.email", update["source"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"type\":\"customer\",\"email\":\"a@b.example\"}", "data.name")]
    [InlineData("{\"type\":\"customer\",\"name\":\"A\"}", "data.email")]
    [InlineData("{\"type\":\"customer\",\"name\":\"A\",\"email\":\"not an email\"}", "data.email")]
    [InlineData("{\"type\":\"customer\",\"name\":\"A\",\"email\":\"a@b.example\",\"password\":\"password1\"}", "data.password")]
    [InlineData("{\"type\":\"customer\",\"name\":42,\"email\":\"a@b.example\"}", "data.name")]
    public async Task Invalid_customers_get_422_Failed_Validation_naming_the_field(string data, string source)
    {
        var client = await ApiClient.ClientCredentialsAsync(App);

        var error = await ApiClient.ExpectErrorAsync(await client.SendAsync(HttpMethod.Post, "/v2/customers", rawBody: $"{{\"data\":{data}}}"), HttpStatusCode.UnprocessableEntity);

        Assert.Equal("Failed Validation", error["title"]!.GetValue<string>());
        Assert.Equal(source, error["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task PUT_is_partial_and_can_set_a_password_later()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);
        var customer = await RegisterAsync(client, password: null);
        var id = customer["id"]!.GetValue<string>();

        var renamed = await ApiClient.ExpectAsync(await client.PutAsync($"/v2/customers/{id}", new { type = "customer", name = "Ada King" }), HttpStatusCode.OK);
        var withPassword = await ApiClient.ExpectAsync(await client.PutAsync($"/v2/customers/{id}", new { type = "customer", password = "a brand new secret" }), HttpStatusCode.OK);

        Assert.Equal("Ada King", renamed["data"]!["name"]!.GetValue<string>());
        Assert.Equal(customer["email"]!.GetValue<string>(), renamed["data"]!["email"]!.GetValue<string>());
        Assert.False(renamed["data"]!["password"]!.GetValue<bool>());
        Assert.True(withPassword["data"]!["password"]!.GetValue<bool>());
        Assert.Equal("Ada King", withPassword["data"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_and_read_only_fields_in_bodies_change_nothing()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);
        var customer = await RegisterAsync(client);
        var id = customer["id"]!.GetValue<string>();
        var forgedId = Guid.NewGuid();

        var response = await client.PutAsync($"/v2/customers/{id}", new
        {
            type = "customer", id = forgedId, password_hash = "AQAAAAI...", PasswordHash = "x", normalized_email = "X@Y", version = Guid.Empty,
            meta = new { timestamps = new { created_at = "2000-01-01T00:00:00Z" } }, created_at = "2000-01-01T00:00:00Z", is_admin = true,
        });
        var created = await ApiClient.ExpectAsync(await client.PostAsync("/v2/customers", new
        {
            type = "customer", id = forgedId, name = "Forger", email = UniqueEmail(), created_at = "2000-01-01T00:00:00Z", password_hash = "x",
        }), HttpStatusCode.Created);

        var after = (await ApiClient.ExpectAsync(response, HttpStatusCode.OK))["data"]!;
        Assert.Equal(customer["meta"]!["timestamps"]!["created_at"]!.GetValue<string>(), after["meta"]!["timestamps"]!["created_at"]!.GetValue<string>());
        Assert.NotEqual(forgedId.ToString(), created["data"]!["id"]!.GetValue<string>());
        Assert.StartsWith(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), created["data"]!["meta"]!["timestamps"]!["created_at"]!.GetValue<string>());
        Assert.False(created["data"]!["password"]!.GetValue<bool>());
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var stored = await db.Customers.SingleAsync(c => c.Id == Guid.Parse(id));
        Assert.NotEqual("x", stored.PasswordHash);
        Assert.NotEqual(Guid.Empty, stored.Version);
        Assert.Equal(customer["email"]!.GetValue<string>().ToUpperInvariant(), stored.NormalizedEmail);
    }

    [Fact]
    public async Task Delete_returns_204_then_404()
    {
        var client = await ApiClient.ClientCredentialsAsync(App);
        var id = (await RegisterAsync(client))["id"]!.GetValue<string>();

        await ApiClient.ExpectAsync(await client.DeleteAsync($"/v2/customers/{id}"), HttpStatusCode.NoContent);

        await ApiClient.ExpectErrorAsync(await client.GetAsync($"/v2/customers/{id}"), HttpStatusCode.NotFound);
        await ApiClient.ExpectErrorAsync(await client.DeleteAsync($"/v2/customers/{id}"), HttpStatusCode.NotFound);
    }
}

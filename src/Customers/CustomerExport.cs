using System.Globalization;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CommerceManager.Customers;

/// <summary>
/// The customers list's Export: the ticked rows or everything the view matches, as a CSV download streamed from the
/// database (a million rows in flat memory). Staff only, through their console sign-in.
/// </summary>
public static class CustomerExport
{
    public const string Path = "/exports/customers.csv";

    public static readonly string[] FixedColumns =
        ["id", "name", "email", "external_ref", "password_set", "created_at", "updated_at", "order_count", "orders_total", "last_order_at"];

    /// <summary>The download link for a selection: <c>?ids=</c> for ticked rows, else the view's own query parameters.</summary>
    public static string UrlFor(CustomerSelection selection)
    {
        var query = new Dictionary<string, string?>();
        if (selection.Ids is { } ids)
        {
            query["ids"] = string.Join(',', ids);
        }
        else if (selection.Matching is { } q)
        {
            query["filter"] = q.Filter;
            query["q"] = q.Search;
            query["sort"] = q.Sort;
            query["password"] = q.HasPassword switch { true => "set", false => "notset", null => null };
        }
        return CsvDownload.Link(Path, query);
    }

    public static IEndpointConventionBuilder MapCustomerExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, async (HttpContext context, [FromServices] CustomerBulk bulk, [FromServices] CustomFieldValues customFields,
            string? ids, string? filter, string? q, string? sort, string? password) =>
        {
            CustomerSelection selection;
            if (!string.IsNullOrEmpty(ids))
            {
                if (CsvDownload.Ids(ids) is not { } parsed)
                {
                    return Results.BadRequest("ids must be customer ids separated by commas.");
                }
                selection = CustomerSelection.Of(parsed);
            }
            else
            {
                var hasPassword = password switch { "set" => true, "notset" => (bool?)false, _ => null };
                selection = CustomerSelection.AllMatching(new CustomerQuery(filter, sort, HasPassword: hasPassword, Search: q));
            }
            var fields = await customFields.EnabledFieldsAsync(Flow.Customers, context.RequestAborted);
            return await CsvDownload.StreamAsync(context, "customers", FixedColumns.Concat(fields.Select(f => f.Slug)),
                bulk.ReadAsync(context.User, selection, context.RequestAborted), c => Row(c, fields));
        }).RequireAuthorization(new AuthorizeAttribute { Roles = Roles.AnyStaff });

    public static IEnumerable<string?> Row(CustomerDto c, IReadOnlyList<FieldDefinition> fields)
    {
        string?[] fixedValues =
        [
            c.Id.ToString(), c.Name, c.Email, c.ExternalRef, c.HasPassword ? "true" : "false", CsvWriter.Time(c.CreatedAt), CsvWriter.Time(c.UpdatedAt),
            c.OrderCount.ToString(CultureInfo.InvariantCulture), c.OrdersTotal.ToString(CultureInfo.InvariantCulture),
            c.LastOrderAt is { } last ? CsvWriter.Time(last) : null,
        ];
        if (fields.Count == 0)
        {
            return fixedValues;
        }
        var values = CustomFieldsEditor.ValuesOf(fields, c.CustomData);
        return fixedValues.Concat(fields.Select(f => values.GetValueOrDefault(f.Slug) switch
        {
            null => null,
            System.Text.Json.Nodes.JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            System.Text.Json.Nodes.JsonValue v when v.TryGetValue<string>(out var s) => s,
            var other => other.ToJsonString(),
        }));
    }
}

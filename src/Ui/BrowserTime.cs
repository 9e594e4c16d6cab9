using Microsoft.JSInterop;

namespace CommerceManager.Ui;

/// <summary>The signed-in staff member's time zone (from their browser), asked once per circuit.</summary>
public sealed class BrowserTime(IJSRuntime js)
{
    private TimeZoneInfo? zone;

    public TimeZoneInfo? Zone => zone;

    public async Task<TimeZoneInfo> ZoneAsync()
    {
        if (zone is not null)
        {
            return zone;
        }
        try
        {
            await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/time.js");
            var id = await module.InvokeAsync<string>("timeZone");
            zone = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
        }
        catch (Exception)
        {
            // Prerendering, or a browser that won't say: UTC, labelled as such.
            return TimeZoneInfo.Utc;
        }
        return zone;
    }
}

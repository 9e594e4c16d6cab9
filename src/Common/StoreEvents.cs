using System.Text.Json.Nodes;

namespace CommerceManager.Common;

/// <summary>
/// Things that happen in the store that outside systems may observe, by EP's event names
/// (<c>one-time-password-token-request.created</c>): a feature publishes, the store's integrations (webhooks) deliver.
/// Publishing never waits for a delivery and never fails the caller's work.
/// </summary>
public interface IStoreEvents
{
    void Publish(string eventName, JsonObject payload);
}

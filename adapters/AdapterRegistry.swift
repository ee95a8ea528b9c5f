import GangwayCore

/// Every provider this build knows. Adding one: a folder under adapters/, and one line here.
public enum AdapterRegistry {
    public static let standard = ProviderRegistry([
        WhatsAppAdapter.descriptor,
        TelegramAdapter.descriptor,
        TwilioAdapter.descriptor,
        TelnyxAdapter.descriptor,
        PlivoAdapter.descriptor,
        SinchAdapter.descriptor,
        InfobipAdapter.descriptor,
        VonageAdapter.descriptor,
        BotFrameworkAdapter.descriptor,
    ])
}

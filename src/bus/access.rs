//! Who may change state: uid 0 or the daemon's own uid; everyone may read.
//!
//! On the private p2p socket the caller is the peer of the connection
//! (SO_PEERCRED, taken by zbus at the handshake). On a bus the connection's peer
//! is the broker, so the sender's credentials are asked from the broker with
//! `org.freedesktop.DBus.GetConnectionCredentials` (rust.md §3.1).

use zbus::message::Header;
use zbus::Connection;

use super::error::MethodError;
use super::shared::Shared;

/// The uid of the process that sent this call.
pub(crate) async fn caller_uid(conn: &Connection, hdr: &Header<'_>) -> Result<u32, MethodError> {
    let denied = || MethodError::access_denied("the caller's uid is unknown, so the call");
    if conn.is_bus() {
        let sender = hdr.sender().ok_or_else(denied)?.to_owned();
        let dbus = zbus::fdo::DBusProxy::new(conn).await?;
        let creds = dbus
            .get_connection_credentials(sender.into())
            .await
            .map_err(|e| MethodError::new(super::error::FAILED, e.to_string()))?;
        creds.unix_user_id().ok_or_else(denied)
    } else {
        let creds = conn
            .peer_creds()
            .await
            .map_err(|e| MethodError::new(super::error::FAILED, e.to_string()))?;
        creds.unix_user_id().ok_or_else(denied)
    }
}

/// Refuse with `org.freedesktop.DBus.Error.AccessDenied` unless the caller is
/// root or runs as the daemon's uid.
pub(crate) async fn require_privileged(
    shared: &Shared,
    conn: &Connection,
    hdr: &Header<'_>,
    what: &str,
) -> Result<(), MethodError> {
    let uid = caller_uid(conn, hdr).await?;
    if uid == 0 || uid == shared.own_uid {
        Ok(())
    } else {
        Err(MethodError::access_denied(what))
    }
}

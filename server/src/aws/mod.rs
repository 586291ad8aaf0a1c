//! AWS side: upload/attach policies, read a live role, apply AccessDenied fixes.

//! Walks a paged list to its end: the benchmarks that read lists share it (included by path, so
//! that a client-only benchmark need not build the server-side helpers).

use serde_json::Value;

/// GETs `url` (which already has a `?`) page by page, passing each answer's `next_cursor` back as
/// `cursor_param`, until an empty page or no cursor; gives (items, pages).
pub async fn walk(client: &reqwest::Client, url: &str, token: &str, cursor_param: &str) -> (u64, u64) {
    let (mut items, mut pages) = (0u64, 0u64);
    let mut cursor: Option<String> = None;
    loop {
        let mut u = url.to_string();
        if let Some(c) = &cursor {
            u.push_str(&format!("&{cursor_param}={c}"));
        }
        let v: Value = client
            .get(u)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        let n = v["items"].as_array().map_or(0, |a| a.len() as u64);
        items += n;
        match v["next_cursor"].as_str() {
            Some(c) if n > 0 => cursor = Some(c.to_string()),
            _ => return (items, pages),
        }
    }
}

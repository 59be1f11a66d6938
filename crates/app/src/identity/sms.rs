//! Text messages to a phone on record, behind one interface so a deployment plugs in
//! its operator's gateway. The default sender appends to an outbox file (mode 0600) that
//! a gateway or an operator picks up; the main log only ever says that a message went to
//! a masked number, never the code in it.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;

/// Sends one text message; an error is a Chinese sentence for the log.
pub trait SmsSender: Send + Sync {
    fn name(&self) -> &'static str;
    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// Appends `time<TAB>phone<TAB>text` lines to a file.
pub struct FileSmsSender {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl FileSmsSender {
    pub fn new(path: impl Into<PathBuf>) -> FileSmsSender {
        FileSmsSender {
            path: path.into(),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    fn append(&self, line: &str) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&self.path)?;
        f.write_all(line.as_bytes())
    }
}

/// `138****0000`: what the main log may say about a number.
pub fn mask_phone(p: &str) -> String {
    let c: Vec<char> = p.chars().collect();
    if c.len() < 7 {
        return "****".to_owned();
    }
    format!(
        "{}****{}",
        c[..3].iter().collect::<String>(),
        c[c.len() - 4..].iter().collect::<String>()
    )
}

impl SmsSender for FileSmsSender {
    fn name(&self) -> &'static str {
        "file"
    }

    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let line = format!(
                "{}\t{}\t{}\n",
                chrono::Utc::now().to_rfc3339(),
                phone,
                text.replace(['\n', '\t'], " ")
            );
            let _guard = self.lock.lock().await;
            self.append(&line)
                .map_err(|e| format!("短信发件箱 {} 写入失败：{e}", self.path.display()))?;
            tracing::info!(to = %mask_phone(phone), "短信已写入发件箱");
            Ok(())
        })
    }
}
